/**
 * Scores a process model on a plant's held-out block exactly as `compareTraining` does (targets
 * standardised with one shared scaling, so outputs of different units weigh alike), so a model
 * trained elsewhere — the federated model from the network run — sits in the same table.
 *
 * @example
 * const m = scoreModel(federated, plant.data.test, compare.scaling);
 */
import { regressionMetrics, regressionSums, type RegressionMetrics } from '../federation/evaluation.js';
import { noGrad } from '../tensor/autodiff.js';
import type { ModelScaling } from '../nn/process-model.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { Tensor } from '../tensor/tensor.js';

/** MSE/RMSE/MAE/R² of `model` on `test`, in targets standardised by `scaling`. */
export function scoreModel(model: ProcessSurrogate, test: { x: Tensor; y: Tensor }, scaling: ModelScaling): RegressionMetrics {
  const predicted = noGrad(() => model.predict(test.x));
  return regressionMetrics(regressionSums(standardize(predicted, scaling), standardize(test.y, scaling)));
}

/** (measured, predicted) pairs of one output, at most `limit` evenly spaced points (for parity plots). */
export function parityPoints(model: ProcessSurrogate, test: { x: Tensor; y: Tensor }, output: number, limit = 300): [number, number][] {
  const predicted = noGrad(() => model.predict(test.x));
  const step = Math.max(1, Math.ceil(test.y.rows / limit));
  const out: [number, number][] = [];
  for (let i = 0; i < test.y.rows; i += step) out.push([test.y.data[i * test.y.cols + output], predicted.data[i * predicted.cols + output]]);
  return out;
}

function standardize(y: Tensor, s: ModelScaling): Tensor {
  const out = new Tensor(y.rows, y.cols);
  for (let i = 0; i < y.rows; i++) {
    for (let j = 0; j < y.cols; j++) out.data[i * y.cols + j] = (y.data[i * y.cols + j] - s.targetMean[j]) / s.targetStd[j];
  }
  return out;
}
