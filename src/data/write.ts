/**
 * Writes plant data and schemas atomically: the text goes to a temporary file in the same folder,
 * is flushed to disk, and is then renamed over the target, so a reader never sees a half-written
 * file (rename within one file system is atomic on POSIX).
 *
 * @example
 * await writePlantCsv('out/plant-1.csv', dataset);
 * await writePlantSchema('out/plant-1.schema.yaml', dataset.schema);
 */
import { writeFileAtomic } from '../store/atomic-file.js';
import YAML from 'yaml';
import { csvField } from './csv.js';

export { writeFileAtomic };
import type { PlantDataset } from './dataset.js';
import type { PlantSchema } from './schema.js';


/** The CSV lines of a dataset: header (time column if the schema has one, inputs, outputs), then rows. */
export function* plantCsvLines(dataset: PlantDataset): Generator<string> {
  const { schema } = dataset;
  const names = [...dataset.inputs, ...dataset.outputs];
  const timeSpec = schema.time;
  const header = timeSpec ? [timeSpec.column, ...names] : names;
  const d = schema.delimiter;
  yield `${header.map((h) => csvField(h, d)).join(d)}\n`;
  const columns = names.map((n) => dataset.columns[n]);
  for (let i = 0; i < dataset.length; i++) {
    const cells: string[] = [];
    if (timeSpec) cells.push(timeSpec.format === 'iso8601' ? isoTimestamp(dataset.time[i]) : String(dataset.time[i]));
    // String(x) is the shortest text that reads back to the same float64, so the file round-trips exactly.
    for (const c of columns) cells.push(String(c[i]));
    yield `${cells.join(d)}\n`;
  }
}

function isoTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * Writes a dataset as CSV (atomically). Reading it back with `readPlantCsv` and the same schema
 * gives the same numbers, bit for bit (iso8601 times to the millisecond).
 */
export async function writePlantCsv(path: string, dataset: PlantDataset): Promise<void> {
  await writeFileAtomic(path, plantCsvLines(dataset));
}

/** Writes a schema as YAML, or JSON when `path` ends in .json (atomically). */
export async function writePlantSchema(path: string, schema: PlantSchema): Promise<void> {
  const text = path.toLowerCase().endsWith('.json') ? `${JSON.stringify(schema, null, 2)}\n` : YAML.stringify(schema);
  await writeFileAtomic(path, [text]);
}
