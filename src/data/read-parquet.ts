/**
 * Reads a plant's Parquet log (through `hyparquet`, a dependency-free reader) against its schema
 * into a validated `PlantDataset`, one row group at a time. Cells go through the same validation as
 * CSV cells: numbers as stored, null/NaN as missing (then the schema's policy applies), text
 * strictly as numbers, timestamps only in an iso8601 time column. Rows in errors are 1-based data
 * rows; Parquet has no lines.
 *
 * @example
 * const ds = await readPlantParquet('plants/a.parquet', schema);
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { CrucibleError } from '../errors.js';
import { DatasetBuilder } from './builder.js';
import type { PlantDataset } from './dataset.js';
import type { PlantSchema } from './schema.js';

export interface ReadParquetOptions {
  /** Stop and report after this many problems. Default 20. */
  maxErrors?: number;
  /** Named in errors when reading from a buffer. Default '(parquet buffer)'. */
  file?: string;
}

/**
 * Validates Parquet data given as an in-memory buffer (or any hyparquet `AsyncBuffer`).
 *
 * @example
 * const ds = await parsePlantParquet(bytes.buffer, schema, { file: 'upload.parquet' });
 */
export async function parsePlantParquet(
  buffer: ArrayBuffer | AsyncBuffer,
  schema: PlantSchema,
  options: ReadParquetOptions = {},
): Promise<PlantDataset> {
  const file = options.file ?? '(parquet buffer)';
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${file}: not a readable Parquet file (${(e as Error).message})`, {
      file,
    });
  }
  const header = parquetSchema(metadata).children.map((c) => c.element.name);
  const builder = new DatasetBuilder(schema, header, { file, format: 'parquet', maxErrors: options.maxErrors });
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await parquetRead({
        file: buffer,
        metadata,
        columns: header,
        rowStart,
        rowEnd,
        onComplete: (r) => {
          rows = r;
        },
      });
    } catch (e) {
      throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${file}: rows ${rowStart + 1}–${rowEnd}: ${(e as Error).message}`, {
        file,
      });
    }
    for (const row of rows) builder.addRow(row);
    rowStart = rowEnd;
  }
  return builder.finish();
}

/** Reads and validates a Parquet file from disk. */
export async function readPlantParquet(path: string, schema: PlantSchema, options: Omit<ReadParquetOptions, 'file'> = {}): Promise<PlantDataset> {
  let buffer: AsyncBuffer;
  try {
    buffer = await asyncBufferFromFile(path);
  } catch (e) {
    throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${path}: ${(e as Error).message}`, { file: path });
  }
  return parsePlantParquet(buffer, schema, { ...options, file: path });
}
