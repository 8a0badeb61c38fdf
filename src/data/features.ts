/**
 * Time-series features: lagged inputs and outputs and first differences, laid out as a row-major
 * design matrix (ready for `new Tensor(rows, cols, x)`) with the targets beside it. A sample at
 * row t needs rows t-maxLag … t, so it exists only when that whole window lies in one unbroken
 * stretch of samples (no gap in time longer than the sampling interval allows — e.g. where rows
 * were dropped) and at or after `historyStart` (so a test block never reads training rows).
 *
 * @example
 * const table = buildFeatures(ds, { spec: { defaultLags: [0, 1, 2], lags: { y: [1] }, differences: {} } });
 * const x = new Tensor(table.rows, table.names.length, table.x);
 */
import { type PlantDataset, type RowRange, checkRange } from './dataset.js';
import type { FeatureSpec } from './schema.js';

/** One column of the design matrix. */
export interface FeatureColumn {
  /** e.g. 'u1[t-2]' or 'Δu3[t]'. */
  readonly name: string;
  readonly column: string;
  readonly kind: 'value' | 'difference';
  /** Samples back from the target row. */
  readonly lag: number;
}

export interface FeatureTable {
  readonly features: readonly FeatureColumn[];
  readonly names: readonly string[];
  readonly targets: readonly string[];
  /** Number of samples. */
  readonly rows: number;
  /** rows × names.length, row-major. */
  readonly x: Float64Array;
  /** rows × targets.length, row-major. */
  readonly y: Float64Array;
  /** The dataset row of each sample's target. */
  readonly rowIndex: Int32Array;
  /** How many rows back the deepest feature reaches. */
  readonly maxLag: number;
}

export interface BuildFeaturesOptions {
  /** Default: the schema's `features`, else every input at lag 0 (a static model). */
  spec?: FeatureSpec;
  /** Target columns. Default: the dataset's outputs. */
  targets?: readonly string[];
  /** Rows whose targets become samples. Default: all. */
  rows?: RowRange;
  /** Earliest row a feature window may read. Default `rows.start`. */
  historyStart?: number;
  /** A step in time longer than (1 + tolerance) × samplingInterval breaks the series. Default 0.5. */
  gapTolerance?: number;
}

/** The static spec: every input at lag 0, no differences. */
export const staticFeatures: FeatureSpec = { defaultLags: [0], lags: {}, differences: {} };

/**
 * Resolves a spec into design-matrix columns, in a fixed order: inputs then outputs, for each its
 * values at the listed lags, then its differences.
 */
export function featureColumns(dataset: Pick<PlantDataset, 'inputs' | 'outputs'>, spec: FeatureSpec): FeatureColumn[] {
  const inputs = new Set(dataset.inputs);
  const outputs = new Set(dataset.outputs);
  for (const kind of ['lags', 'differences'] as const) {
    for (const name of Object.keys(spec[kind])) {
      if (!inputs.has(name) && !outputs.has(name)) {
        throw new RangeError(`features.${kind}: '${name}' is not an input or output (have ${[...inputs, ...outputs].join(', ')})`);
      }
    }
  }
  const out: FeatureColumn[] = [];
  for (const column of [...dataset.inputs, ...dataset.outputs]) {
    const isOutput = outputs.has(column);
    const lags = spec.lags[column] ?? (isOutput ? [] : spec.defaultLags);
    for (const lag of [...new Set(lags)].sort((a, b) => a - b)) {
      if (isOutput && lag === 0) throw new RangeError(`features.lags: output '${column}' at lag 0 is the target itself`);
      out.push({ name: `${column}[${lagText(lag)}]`, column, kind: 'value', lag });
    }
    for (const lag of [...new Set(spec.differences[column] ?? [])].sort((a, b) => a - b)) {
      out.push({ name: `Δ${column}[${lagText(lag)}]`, column, kind: 'difference', lag });
    }
  }
  if (out.length === 0) throw new RangeError('features: the spec selects no feature');
  return out;
}

function lagText(lag: number): string {
  return lag === 0 ? 't' : `t-${lag}`;
}

/** How many rows back a spec reaches (a difference at lag k reads row t-k-1). */
export function maxLagOf(features: readonly FeatureColumn[]): number {
  return features.reduce((m, f) => Math.max(m, f.kind === 'difference' ? f.lag + 1 : f.lag), 0);
}

/**
 * For each row, the first row of its unbroken stretch: a step in time larger than
 * (1 + tolerance) × samplingInterval starts a new stretch.
 */
export function segmentStarts(dataset: PlantDataset, gapTolerance = 0.5): Int32Array {
  const starts = new Int32Array(dataset.length);
  const limit = (1 + gapTolerance) * dataset.schema.samplingInterval;
  for (let i = 1; i < dataset.length; i++) {
    starts[i] = dataset.time[i] - dataset.time[i - 1] > limit ? i : starts[i - 1];
  }
  return starts;
}

/** Builds the design matrix and targets for the chosen rows. */
export function buildFeatures(dataset: PlantDataset, options: BuildFeaturesOptions = {}): FeatureTable {
  const spec = options.spec ?? dataset.schema.features ?? staticFeatures;
  const features = featureColumns(dataset, spec);
  const targets = options.targets ?? dataset.outputs;
  for (const t of targets) {
    if (dataset.columns[t] === undefined) throw new RangeError(`buildFeatures: target '${t}' is not a column (have ${Object.keys(dataset.columns).join(', ')})`);
  }
  const rows = options.rows ?? { start: 0, end: dataset.length };
  checkRange(rows, dataset.length, 'buildFeatures');
  const historyStart = options.historyStart ?? rows.start;
  if (!Number.isInteger(historyStart) || historyStart < 0 || historyStart > rows.start) {
    throw new RangeError(`buildFeatures: historyStart ${historyStart} must be an integer in [0, ${rows.start}]`);
  }
  const maxLag = maxLagOf(features);
  const starts = segmentStarts(dataset, options.gapTolerance);

  const kept: number[] = [];
  for (let t = rows.start; t < rows.end; t++) {
    if (t - maxLag >= Math.max(historyStart, starts[t])) kept.push(t);
  }
  const nf = features.length;
  const nt = targets.length;
  const x = new Float64Array(kept.length * nf);
  const y = new Float64Array(kept.length * nt);
  const sources = features.map((f) => dataset.columns[f.column]);
  const targetColumns = targets.map((t) => dataset.columns[t]);
  for (let r = 0; r < kept.length; r++) {
    const t = kept[r];
    for (let j = 0; j < nf; j++) {
      const f = features[j];
      const c = sources[j];
      x[r * nf + j] = f.kind === 'value' ? c[t - f.lag] : c[t - f.lag] - c[t - f.lag - 1];
    }
    for (let k = 0; k < nt; k++) y[r * nt + k] = targetColumns[k][t];
  }
  return {
    features,
    names: features.map((f) => f.name),
    targets: [...targets],
    rows: kept.length,
    x,
    y,
    rowIndex: Int32Array.from(kept),
    maxLag,
  };
}
