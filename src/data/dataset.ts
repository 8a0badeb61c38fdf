/**
 * A plant's validated time series: one Float64Array per column (column-major), the time axis, the
 * schema it was read with, and the provenance a report needs to say what was done to the raw file
 * (how many rows were dropped or filled, and why).
 *
 * @example
 * const ds = datasetFromColumns(schema, { u: [1, 2, 3], y: [2, 4, 6] });
 * ds.columns.u[1] // 2
 */
import type { MissingPolicy, PlantSchema } from './schema.js';
import { dataColumns } from './schema.js';

/** What happened between the raw file and the dataset, so a report can state it. */
export interface DataProvenance {
  /** The file read ('(memory)' for datasets built in code). */
  readonly source: string;
  readonly format: 'csv' | 'parquet' | 'memory';
  /** Data rows in the source (header and blank lines excluded). */
  readonly rowsRead: number;
  /** Rows removed by the `drop-rows` policy. */
  readonly rowsDropped: number;
  /** Rows in which at least one cell was forward-filled. */
  readonly rowsFilled: number;
  /** Cells forward-filled, per column (only columns with any). */
  readonly cellsFilled: Readonly<Record<string, number>>;
  /** Cells outside physical bounds that were treated as missing (`outOfBounds: missing`), per column. */
  readonly cellsOutOfBounds: Readonly<Record<string, number>>;
  /** Blank lines skipped in a CSV file. */
  readonly blankLines: number;
  /** The missing-value policy applied. */
  readonly missingPolicy: MissingPolicy;
}

export interface PlantDataset {
  readonly schema: PlantSchema;
  /** Number of samples (rows). */
  readonly length: number;
  /** Sample times in the schema's time unit (seconds since epoch for iso8601), strictly increasing. */
  readonly time: Float64Array;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Every input and output column by name, each `length` long. */
  readonly columns: Readonly<Record<string, Float64Array>>;
  /** Unit of every input and output column. */
  readonly units: Readonly<Record<string, string>>;
  readonly provenance: DataProvenance;
}

/** A half-open block of rows [start, end). */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Provenance of a dataset that was never a file (or whose file history is not known). */
export function memoryProvenance(schema: PlantSchema, rows: number): DataProvenance {
  return {
    source: '(memory)',
    format: 'memory',
    rowsRead: rows,
    rowsDropped: 0,
    rowsFilled: 0,
    cellsFilled: {},
    cellsOutOfBounds: {},
    blankLines: 0,
    missingPolicy: schema.missing,
  };
}

/**
 * Builds a dataset from arrays in code (a simulator's output, a test's fixture). Every input and
 * output column must be present and of equal length; `time` defaults to 0, Δt, 2Δt, …. Values are
 * not checked against bounds here: use `parsePlantCsv`-style readers for untrusted data.
 *
 * @example
 * const ds = datasetFromColumns(schema, { u: [0.1, 0.2], y: [1, 2] }, { time: [0, 60] });
 */
export function datasetFromColumns(
  schema: PlantSchema,
  columns: Readonly<Record<string, ArrayLike<number>>>,
  options: { time?: ArrayLike<number>; provenance?: DataProvenance } = {},
): PlantDataset {
  const specs = dataColumns(schema);
  const length = specs.length > 0 ? (columns[specs[0].name]?.length ?? 0) : 0;
  const out: Record<string, Float64Array> = {};
  const units: Record<string, string> = {};
  for (const c of specs) {
    const values = columns[c.name];
    if (values === undefined) {
      throw new RangeError(`datasetFromColumns: column '${c.name}' missing (have ${Object.keys(columns).join(', ')})`);
    }
    if (values.length !== length) {
      throw new RangeError(`datasetFromColumns: column '${c.name}' has ${values.length} values, expected ${length}`);
    }
    out[c.name] = Float64Array.from(values);
    units[c.name] = c.unit;
  }
  let time: Float64Array;
  if (options.time !== undefined) {
    if (options.time.length !== length) {
      throw new RangeError(`datasetFromColumns: time has ${options.time.length} values, expected ${length}`);
    }
    time = Float64Array.from(options.time);
  } else {
    time = new Float64Array(length);
    for (let i = 0; i < length; i++) time[i] = i * schema.samplingInterval;
  }
  for (let i = 1; i < length; i++) {
    if (!(time[i] > time[i - 1])) {
      throw new RangeError(`datasetFromColumns: time must increase strictly, but time[${i}] = ${time[i]} ≤ time[${i - 1}] = ${time[i - 1]}`);
    }
  }
  return {
    schema,
    length,
    time,
    inputs: schema.inputs.map((c) => c.name),
    outputs: schema.outputs.map((c) => c.name),
    columns: out,
    units,
    provenance: options.provenance ?? memoryProvenance(schema, length),
  };
}

/**
 * The rows [start, end) of a dataset as a dataset of their own (column arrays are copies).
 *
 * @example
 * const firstDay = sliceDataset(ds, { start: 0, end: 1440 });
 */
export function sliceDataset(dataset: PlantDataset, range: RowRange): PlantDataset {
  checkRange(range, dataset.length, 'sliceDataset');
  const columns: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(dataset.columns)) columns[name] = values.slice(range.start, range.end);
  return { ...dataset, length: range.end - range.start, time: dataset.time.slice(range.start, range.end), columns };
}

/** Throws a RangeError unless 0 ≤ start ≤ end ≤ length. */
export function checkRange(range: RowRange, length: number, where: string): void {
  const { start, end } = range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > length) {
    throw new RangeError(`${where}: row range [${start}, ${end}) is not within [0, ${length})`);
  }
}

/** A one-paragraph statement of what the reader did to the raw data, for reports and logs. */
export function describeProvenance(p: DataProvenance): string {
  const policy =
    p.missingPolicy.policy === 'forward-fill'
      ? `forward-fill (at most ${p.missingPolicy.maxSamples} samples)`
      : p.missingPolicy.policy;
  const parts = [`${p.rowsRead} rows read from ${p.source} (${p.format})`, `missing-value policy: ${policy}`];
  if (p.rowsDropped > 0) parts.push(`${p.rowsDropped} rows dropped`);
  if (p.rowsFilled > 0) {
    const cells = Object.entries(p.cellsFilled).map(([c, n]) => `${c}: ${n}`).join(', ');
    parts.push(`${p.rowsFilled} rows forward-filled (cells ${cells})`);
  }
  const oob = Object.entries(p.cellsOutOfBounds);
  if (oob.length > 0) parts.push(`out-of-bounds cells treated as missing: ${oob.map(([c, n]) => `${c}: ${n}`).join(', ')}`);
  if (p.blankLines > 0) parts.push(`${p.blankLines} blank lines skipped`);
  return parts.join('; ');
}
