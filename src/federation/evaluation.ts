/**
 * Regression metrics for federated evaluation. Each plant reports its own MSE, RMSE, MAE and R² plus
 * per-output sums (sse, sae, sumY, sumYSq, count); the coordinator pools the sums into the exact
 * metrics of all held-out data taken together — R² against the GLOBAL target mean, which a weighted
 * average of per-plant R² would not give.
 *
 * @example
 * const sums = regressionSums(predicted, actual);
 * regressionMetrics(sums); // { mse, rmse, mae, r2 }
 */
import { Tensor } from '../tensor/tensor.js';

/** Per-output sums of one evaluation (length = number of outputs). */
export interface RegressionSums {
  readonly count: number;
  readonly sse: Float64Array;
  readonly sae: Float64Array;
  readonly sumY: Float64Array;
  readonly sumYSq: Float64Array;
}

/** MSE, RMSE and MAE averaged over outputs and examples; R² averaged uniformly over outputs. */
export interface RegressionMetrics {
  readonly mse: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

/** The sums of `predicted` against `actual` (same shape, rows = examples). */
export function regressionSums(predicted: Tensor, actual: Tensor): RegressionSums {
  if (predicted.rows !== actual.rows || predicted.cols !== actual.cols) {
    throw new RangeError(`regressionSums: predictions [${predicted.rows}, ${predicted.cols}] and targets [${actual.rows}, ${actual.cols}] differ in shape`);
  }
  const k = actual.cols;
  const sse = new Float64Array(k);
  const sae = new Float64Array(k);
  const sumY = new Float64Array(k);
  const sumYSq = new Float64Array(k);
  for (let i = 0; i < actual.rows; i++) {
    for (let j = 0; j < k; j++) {
      const y = actual.data[i * k + j];
      const e = predicted.data[i * k + j] - y;
      sse[j] += e * e;
      sae[j] += Math.abs(e);
      sumY[j] += y;
      sumYSq[j] += y * y;
    }
  }
  return { count: actual.rows, sse, sae, sumY, sumYSq };
}

/** Adds sums of several evaluations (plants) into one. */
export function poolRegressionSums(parts: readonly RegressionSums[]): RegressionSums {
  if (parts.length === 0) throw new RangeError('poolRegressionSums: no evaluations to pool');
  const k = parts[0].sse.length;
  const out = { count: 0, sse: new Float64Array(k), sae: new Float64Array(k), sumY: new Float64Array(k), sumYSq: new Float64Array(k) };
  for (const p of parts) {
    if (p.sse.length !== k) throw new RangeError(`poolRegressionSums: evaluations have ${k} and ${p.sse.length} outputs`);
    out.count += p.count;
    for (let j = 0; j < k; j++) {
      out.sse[j] += p.sse[j];
      out.sae[j] += p.sae[j];
      out.sumY[j] += p.sumY[j];
      out.sumYSq[j] += p.sumYSq[j];
    }
  }
  return out;
}

/** Metrics from sums. R² of an output with zero variance is 0 when predictions are off, 1 when exact. */
export function regressionMetrics(sums: RegressionSums): RegressionMetrics {
  const k = sums.sse.length;
  const n = sums.count;
  if (n === 0 || k === 0) return { mse: Number.NaN, rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
  let sse = 0;
  let sae = 0;
  let r2 = 0;
  for (let j = 0; j < k; j++) {
    sse += sums.sse[j];
    sae += sums.sae[j];
    const sst = sums.sumYSq[j] - (sums.sumY[j] * sums.sumY[j]) / n;
    r2 += sst > 1e-300 ? 1 - sums.sse[j] / sst : sums.sse[j] === 0 ? 1 : 0;
  }
  const mse = sse / (n * k);
  return { mse, rmse: Math.sqrt(mse), mae: sae / (n * k), r2: r2 / k };
}

/**
 * One classifier evaluation (a plant's held-out rows, or all plants' pooled): JSON-friendly, for
 * round results, the store and reports. `auc[k − 1]` is class k against the rest (k = 1 … K−1;
 * for a binary task the one AUC); `confusion` is K×K row-major, row = actual, column = predicted.
 */
export interface ClassificationReport {
  readonly count: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: ReadonlyArray<{ readonly precision: number; readonly recall: number; readonly f1: number; readonly support: number }>;
  readonly auc: readonly number[];
  readonly confusion: readonly number[];
}

/** Classification metrics of a round: per plant, and pooled exactly from the plants' counts. */
export interface ClassificationEvaluation {
  readonly classes: number;
  readonly pooled: ClassificationReport;
  readonly perPlant: Readonly<Record<string, ClassificationReport>>;
}

/** x standardised with the global feature scaling a task carries (unchanged without one). */
export function standardisedFeatures(x: Tensor, arrays: { readonly featureMean?: Float64Array; readonly featureStd?: Float64Array }): Tensor {
  const { featureMean: mean, featureStd: std } = arrays;
  if (mean === undefined || std === undefined) return x;
  if (mean.length !== x.cols || std.length !== x.cols) throw new RangeError(`feature scaling has ${mean.length} means and ${std.length} deviations for ${x.cols} columns`);
  return new Tensor(x.rows, x.cols, x.data.map((v, k) => (v - mean[k % x.cols]) / std[k % x.cols]));
}

/** Model outputs in target units, undoing the target scaling a task carries (unchanged without one). */
export function targetsInUnits(t: Tensor, arrays: { readonly targetMean?: Float64Array; readonly targetStd?: Float64Array }): Tensor {
  const { targetMean: mean, targetStd: std } = arrays;
  if (mean === undefined || std === undefined) return t;
  return new Tensor(t.rows, t.cols, t.data.map((v, k) => v * std[k % t.cols] + mean[k % t.cols]));
}
