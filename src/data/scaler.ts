/**
 * Standardisation of a plant's columns (z = (x − mean) / std), with the statistics taken from the
 * training rows only. The statistics are built from sufficient statistics — a count, and sums and
 * sums of squares of (x − shift) per column — which add across plants, so a federation can sum
 * every plant's `featureSums` (securely, if it likes) and get the GLOBAL mean and variance without
 * any plant revealing its rows. The shift (by default the midpoint of the column's physical bounds,
 * which all plants sharing a schema agree on) keeps sumSq − sum²/n from cancelling catastrophically
 * when a column's mean is large next to its spread (Chan, Golub & LeVeque, "Algorithms for
 * computing the sample variance", The American Statistician 37, 1983).
 *
 * @example
 * const stats = [featureSums(plantA, { rows: splitA.train }), featureSums(plantB, { rows: splitB.train })];
 * const scaler = scalerFromSums(stats);            // global mean/std
 * const scaledA = standardize(plantA, scaler);
 */
import { type PlantDataset, type RowRange, checkRange } from './dataset.js';
import { dataColumns } from './schema.js';

/** Per-column count, Σ(x − shift) and Σ(x − shift)²: additive across rows and plants. */
export interface SufficientStats {
  readonly columns: readonly string[];
  readonly count: number;
  readonly shift: readonly number[];
  readonly sum: readonly number[];
  readonly sumSq: readonly number[];
}

/** Per-column mean and standard deviation; plain data, so it can be sent and stored as JSON. */
export interface Standardizer {
  readonly columns: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Sufficient statistics of a dataset's input and output columns over `rows` (default all).
 *
 * @example
 * const s = featureSums(ds, { rows: { start: 0, end: 500 } });
 */
export function featureSums(
  dataset: PlantDataset,
  options: { rows?: RowRange; columns?: readonly string[]; shift?: Readonly<Record<string, number>> } = {},
): SufficientStats {
  const rows = options.rows ?? { start: 0, end: dataset.length };
  checkRange(rows, dataset.length, 'featureSums');
  const columns = options.columns ?? [...dataset.inputs, ...dataset.outputs];
  const specs = new Map(dataColumns(dataset.schema).map((c) => [c.name, c]));
  const shift: number[] = [];
  const sum: number[] = [];
  const sumSq: number[] = [];
  for (const name of columns) {
    const values = dataset.columns[name];
    if (values === undefined) throw new RangeError(`featureSums: no column '${name}' (have ${Object.keys(dataset.columns).join(', ')})`);
    const spec = specs.get(name);
    const c =
      options.shift?.[name] ?? (spec?.min !== undefined && spec.max !== undefined ? (spec.min + spec.max) / 2 : 0);
    let s = 0;
    let s2 = 0;
    for (let i = rows.start; i < rows.end; i++) {
      const d = values[i] - c;
      s += d;
      s2 += d * d;
    }
    shift.push(c);
    sum.push(s);
    sumSq.push(s2);
  }
  return { columns: [...columns], count: rows.end - rows.start, shift, sum, sumSq };
}

/** Adds sufficient statistics of the same columns and shifts (from several plants or blocks). */
export function combineSums(parts: readonly SufficientStats[]): SufficientStats {
  if (parts.length === 0) throw new RangeError('combineSums: no statistics given');
  const [first] = parts;
  const sum = [...first.sum];
  const sumSq = [...first.sumSq];
  let count = first.count;
  parts.forEach((p, k) => {
    if (k === 0) return;
    if (p.columns.length !== first.columns.length || p.columns.some((c, j) => c !== first.columns[j])) {
      throw new RangeError(`combineSums: part ${k} has columns [${p.columns.join(', ')}], part 0 has [${first.columns.join(', ')}]`);
    }
    p.shift.forEach((s, j) => {
      if (s !== first.shift[j]) {
        throw new RangeError(`combineSums: part ${k} shifts column '${p.columns[j]}' by ${s}, part 0 by ${first.shift[j]}: sums are not comparable`);
      }
    });
    count += p.count;
    p.sum.forEach((s, j) => (sum[j] += s));
    p.sumSq.forEach((s, j) => (sumSq[j] += s));
  });
  return { columns: first.columns, count, shift: first.shift, sum, sumSq };
}

/**
 * The standardiser of one or more sets of sufficient statistics (summed first). Variance uses
 * `ddof` (default 1, the unbiased sample variance). A column with no spread (std within a few ulps
 * of its mean) gets std 1, so it standardises to a constant instead of dividing by zero.
 */
export function scalerFromSums(stats: SufficientStats | readonly SufficientStats[], options: { ddof?: number } = {}): Standardizer {
  const s = Array.isArray(stats) ? combineSums(stats) : (stats as SufficientStats);
  const ddof = options.ddof ?? 1;
  if (s.count - ddof <= 0) throw new RangeError(`scalerFromSums: ${s.count} rows are too few for ddof ${ddof}`);
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < s.columns.length; j++) {
    const m = s.sum[j] / s.count;
    const variance = Math.max(0, (s.sumSq[j] - s.sum[j] * m) / (s.count - ddof));
    const sd = Math.sqrt(variance);
    const mu = s.shift[j] + m;
    mean.push(mu);
    // Below a few ulps of the mean the spread is rounding noise, not signal.
    std.push(sd > 64 * Number.EPSILON * Math.max(1, Math.abs(mu)) ? sd : 1);
  }
  return { columns: s.columns, mean, std };
}

/** Fits a standardiser on `rows` of one dataset (pass the training block). */
export function fitStandardizer(dataset: PlantDataset, options: { rows?: RowRange } = {}): Standardizer {
  return scalerFromSums(featureSums(dataset, options));
}

/**
 * The dataset with every column the standardiser covers replaced by its z-scores. Units become
 * '1' and `scaler` is recorded on the result so predictions can be mapped back with `unstandardize`.
 */
export function standardize(dataset: PlantDataset, scaler: Standardizer): PlantDataset & { scaler: Standardizer } {
  const columns: Record<string, Float64Array> = { ...dataset.columns };
  const units: Record<string, string> = { ...dataset.units };
  scaler.columns.forEach((name, j) => {
    const values = dataset.columns[name];
    if (values === undefined) throw new RangeError(`standardize: dataset has no column '${name}'`);
    const out = new Float64Array(values.length);
    const m = scaler.mean[j];
    const sd = scaler.std[j];
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - m) / sd;
    columns[name] = out;
    units[name] = '1';
  });
  return { ...dataset, columns, units, scaler };
}

/** Maps z-scores of `column` (e.g. a model's predictions) back to the column's unit. */
export function unstandardize(values: ArrayLike<number>, scaler: Standardizer, column: string): Float64Array {
  const j = scaler.columns.indexOf(column);
  if (j < 0) throw new RangeError(`unstandardize: scaler has no column '${column}' (has ${scaler.columns.join(', ')})`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * scaler.std[j] + scaler.mean[j];
  return out;
}
