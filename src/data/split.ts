/**
 * Splits a time series by time into train, validation and test blocks, in that order, with `gap`
 * rows left out between consecutive blocks. Shuffled splits leak the future into training through
 * autocorrelation; contiguous blocks with a gap do not (Bergmeir & Benítez, "On the use of
 * cross-validation for time series predictor evaluation", Information Sciences 191, 2012).
 *
 * `splitFeatures` requires gap ≥ the features' max lag: the gap rows are then exactly the history
 * the first samples of the next block need, so every block keeps all its samples and no feature
 * window of a validation or test sample ever reads a row of an earlier block.
 *
 * @example
 * const { train, validation, test } = splitFeatures(ds, { spec, train: 0.7, validation: 0.15, test: 0.15 });
 */
import { type PlantDataset, type RowRange } from './dataset.js';
import { type FeatureTable, buildFeatures, featureColumns, maxLagOf, staticFeatures } from './features.js';
import type { FeatureSpec } from './schema.js';

export interface TimeSplitOptions {
  /** Share of the rows (after gaps) for training. Default 0.6. */
  train?: number;
  /** Share for validation; 0 gives no validation block (and one gap fewer). Default 0.2. */
  validation?: number;
  /** Share for testing. Default 0.2. */
  test?: number;
  /** Rows left out between consecutive blocks. Default 0 for `timeSplit`, the max lag for `splitFeatures`. */
  gap?: number;
}

export interface TimeSplit {
  readonly train: RowRange;
  /** Empty (start = end) when the validation share is 0. */
  readonly validation: RowRange;
  readonly test: RowRange;
  readonly gap: number;
}

/**
 * Lays out the blocks over `length` rows. Shares are normalised to sum to 1.
 *
 * @example
 * timeSplit(100, { train: 0.6, validation: 0.2, test: 0.2, gap: 5 })
 * // train [0, 54), validation [59, 77), test [82, 100)
 */
export function timeSplit(length: number, options: TimeSplitOptions = {}): TimeSplit {
  const shares = { train: options.train ?? 0.6, validation: options.validation ?? 0.2, test: options.test ?? 0.2 };
  const gap = options.gap ?? 0;
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`timeSplit: gap must be a non-negative integer, got ${gap}`);
  for (const [k, v] of Object.entries(shares)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`timeSplit: ${k} share must be ≥ 0, got ${v}`);
  }
  if (shares.train <= 0 || shares.test <= 0) {
    throw new RangeError(`timeSplit: train and test shares must be > 0, got train ${shares.train}, test ${shares.test}`);
  }
  const total = shares.train + shares.validation + shares.test;
  const gaps = shares.validation > 0 ? 2 : 1;
  const usable = length - gaps * gap;
  const nTrain = Math.floor((usable * shares.train) / total);
  const nValidation = Math.floor((usable * shares.validation) / total);
  const nTest = usable - nTrain - nValidation;
  if (nTrain < 1 || nTest < 1 || (shares.validation > 0 && nValidation < 1)) {
    throw new RangeError(
      `timeSplit: ${length} rows are too few for blocks of shares ${shares.train}/${shares.validation}/${shares.test} with gap ${gap}`,
    );
  }
  const train = { start: 0, end: nTrain };
  const validation =
    nValidation > 0 ? { start: train.end + gap, end: train.end + gap + nValidation } : { start: train.end, end: train.end };
  const testStart = (nValidation > 0 ? validation.end : train.end) + gap;
  return { train, validation, test: { start: testStart, end: length }, gap };
}

export interface SplitFeatures {
  readonly split: TimeSplit;
  readonly train: FeatureTable;
  readonly validation: FeatureTable;
  readonly test: FeatureTable;
}

/**
 * Splits by time and builds each block's features, each block's windows reaching back at most
 * into the gap before it. Throws a RangeError when `gap` is smaller than the max lag.
 */
export function splitFeatures(
  dataset: PlantDataset,
  options: TimeSplitOptions & { spec?: FeatureSpec; targets?: readonly string[]; gapTolerance?: number } = {},
): SplitFeatures {
  const spec = options.spec ?? dataset.schema.features ?? staticFeatures;
  const maxLag = maxLagOf(featureColumns(dataset, spec));
  const gap = options.gap ?? maxLag;
  if (gap < maxLag) {
    throw new RangeError(
      `splitFeatures: gap ${gap} is smaller than the features' max lag ${maxLag}: validation and test samples would read training rows`,
    );
  }
  const split = timeSplit(dataset.length, { ...options, gap });
  const block = (rows: RowRange, historyStart: number): FeatureTable =>
    buildFeatures(dataset, { spec, targets: options.targets, rows, historyStart, gapTolerance: options.gapTolerance });
  return {
    split,
    train: block(split.train, split.train.start),
    validation: block(split.validation, Math.max(split.train.end, split.validation.start - gap)),
    test: block(split.test, split.test.start - gap),
  };
}
