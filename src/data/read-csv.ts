/**
 * Reads a plant's CSV log against its schema into a validated `PlantDataset`. The file is streamed
 * (read in chunks through the incremental tokenizer), so its size is bounded by the dataset, not
 * by the text.
 *
 * @example
 * const schema = await readPlantSchema('plants/a.schema.yaml');
 * const ds = await readPlantCsv('plants/a.csv', schema);
 * console.log(describeProvenance(ds.provenance));
 */
import { createReadStream } from 'node:fs';
import { CrucibleError } from '../errors.js';
import { DatasetBuilder } from './builder.js';
import { type CsvRecord, CsvTokenizer } from './csv.js';
import type { PlantDataset } from './dataset.js';
import type { PlantSchema } from './schema.js';

export interface ReadCsvOptions {
  /** Field separator. Default: the schema's `delimiter`. */
  delimiter?: string;
  /** Stop and report after this many problems. Default 20. */
  maxErrors?: number;
}

/** Feeds tokenized records to a builder: the first record is the header, blank lines are skipped. */
class CsvSink {
  private builder: DatasetBuilder | null = null;
  private headerLength = 0;
  blankLines = 0;

  constructor(
    private readonly schema: PlantSchema,
    private readonly file: string,
    private readonly options: ReadCsvOptions,
  ) {}

  take(records: readonly CsvRecord[]): void {
    for (const r of records) {
      if (this.builder === null) {
        this.builder = new DatasetBuilder(this.schema, r.fields, {
          file: this.file,
          format: 'csv',
          maxErrors: this.options.maxErrors,
        });
        this.headerLength = r.fields.length;
        continue;
      }
      // A line with nothing on it is not a sample (unless the file has a single column, where it
      // is an empty cell and the missing-value policy decides).
      if (this.headerLength > 1 && r.fields.length === 1 && r.fields[0] === '') {
        this.blankLines++;
        continue;
      }
      this.builder.addRow(r.fields, r.line);
    }
  }

  finish(): PlantDataset {
    if (this.builder === null) {
      throw new CrucibleError('DATA_INVALID', `Invalid plant data in ${this.file}: the file is empty (no header line)`, {
        file: this.file,
        issues: [{ file: this.file, message: 'the file is empty (no header line)' }],
      });
    }
    return this.builder.finish(this.blankLines);
  }
}

/**
 * Parses CSV text already in memory (tests, uploads). Same validation as `readPlantCsv`.
 *
 * @example
 * const ds = parsePlantCsv('t,u,y\n0,1,2\n60,1.1,2.1\n', schema, { file: 'inline.csv' });
 */
export function parsePlantCsv(text: string, schema: PlantSchema, options: ReadCsvOptions & { file?: string } = {}): PlantDataset {
  const file = options.file ?? '(csv text)';
  const tokenizer = new CsvTokenizer({ file, delimiter: options.delimiter ?? schema.delimiter });
  const sink = new CsvSink(schema, file, options);
  sink.take(tokenizer.push(text));
  sink.take(tokenizer.end());
  return sink.finish();
}

/**
 * Streams a CSV file from disk and validates it. Throws `CrucibleError('DATA_INVALID')` naming the
 * file, row, line and column of the first problems found.
 */
export async function readPlantCsv(path: string, schema: PlantSchema, options: ReadCsvOptions = {}): Promise<PlantDataset> {
  const tokenizer = new CsvTokenizer({ file: path, delimiter: options.delimiter ?? schema.delimiter });
  const sink = new CsvSink(schema, path, options);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) sink.take(tokenizer.push(chunk as string));
  } catch (e) {
    stream.destroy();
    if (e instanceof CrucibleError) throw e;
    throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${path}: ${(e as Error).message}`, { file: path });
  }
  sink.take(tokenizer.end());
  return sink.finish();
}
