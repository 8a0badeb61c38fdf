/**
 * The one shape in which every simulator hands a plant's data to the rest of Crucible (the data
 * writers, federated training, scoring): named columns as Float64Arrays, with units, physical
 * bounds and which columns are inputs and outputs; plus the noise-free truth of the outputs.
 */

/** The processes that have a built-in simulator. */
export type ProcessName = 'cstr' | 'williams-otto' | 'eaf';

/** One plant's generated data. */
export interface PlantDataset {
  plantId: string;
  process: ProcessName;
  /** All measured columns, in file order (time column first when there is one). */
  columns: string[];
  /** The time column's name, for time-series processes. */
  timeColumn?: string;
  /** Model inputs (manipulated variables, measured disturbances, charge, practice). */
  inputs: string[];
  /** Model outputs (measured responses). */
  outputs: string[];
  /** Unit of every column (e.g. "1/h", "degC", "t", "wt%"). */
  units: Record<string, string>;
  /** Physical bounds of every column: values outside are sensor faults, not data. */
  bounds: Record<string, readonly [number, number]>;
  /** Sampling interval of time-series data [s]. */
  samplingIntervalS?: number;
  /** Column arrays, each of length `rowCount`. */
  values: Record<string, Float64Array>;
  /**
   * Noise-, bias- and lag-free values of quantities behind the outputs (same length), for
   * scoring learned models against the true process; never written as plant data.
   */
  truth: Record<string, Float64Array>;
  rowCount: number;
}

/**
 * The dataset as rows in `columns` order (for writers that need rows).
 *
 * @example
 * for (const row of datasetRows(ds)) console.log(row.join(','));
 */
export function datasetRows(ds: PlantDataset): Float64Array[] {
  const cols = ds.columns.map((c) => ds.values[c]);
  const rows: Float64Array[] = [];
  for (let i = 0; i < ds.rowCount; i++) {
    const r = new Float64Array(cols.length);
    for (let j = 0; j < cols.length; j++) r[j] = cols[j][i];
    rows.push(r);
  }
  return rows;
}
