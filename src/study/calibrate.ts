/**
 * Post-hoc calibration of a frozen model to one plant: y = c ⊙ g(a ⊙ z + b) + d on standardized
 * inputs z, with (a, b, c, d) fitted to the plant's data by L-BFGS and a small ridge keeping them
 * near identity. The baseline that `PlantAdaptedModel` improves on: fitted after the fact, it
 * corrects the model inside the plant's window but cannot undo a body trained on mixed plants.
 *
 * @example
 * const mine = calibrate(federatedModel, plants[0].train);
 */
import { add, matmul, mean, mul, square, sub } from '../tensor/ops/index.js';
import { backward } from '../tensor/autodiff.js';
import { Tensor } from '../tensor/tensor.js';
import type { ProcessModel } from '../nn/process-model.js';
import { minimizeLbfgsb } from '../optimize/lbfgsb.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { standardize } from './compare.js';

/** `model` calibrated to `data` (physical units). */
export function calibrate(model: ProcessModel, data: { x: Tensor; y: Tensor }): ProcessSurrogate {
  const m = model.inputNames.length;
  const k = model.outputNames.length;
  const size = 2 * m + 2 * k;
  const z = model.scaleInputs(data.x).detach();
  const target = standardize(data.y, model.scaling);
  // Selection matrices pick each block of θ as a row vector, keeping everything in differentiable ops.
  const pick = (offset: number, n: number): Tensor => {
    const e = new Tensor(size, n);
    for (let j = 0; j < n; j++) e.data[(offset + j) * n + j] = 1;
    return e;
  };
  const blocks = { a: pick(0, m), b: pick(m, m), c: pick(2 * m, k), d: pick(2 * m + k, k) };
  const apply = (theta: Tensor, zIn: Tensor): Tensor => {
    const inner = add(mul(zIn, add(matmul(theta, blocks.a), 1)), matmul(theta, blocks.b));
    return add(mul(model.network.forward(inner), add(matmul(theta, blocks.c), 1)), matmul(theta, blocks.d));
  };
  const fitted = minimizeLbfgsb(
    (th, g) => {
      const theta = new Tensor(1, size, th.slice(), { requiresGrad: true });
      const loss = add(mean(square(sub(apply(theta, z), target))), mul(mean(square(theta)), 1e-3));
      backward(loss);
      g.set(theta.grad!);
      return loss.item();
    },
    new Float64Array(size),
    { maxIterations: 300 },
  );
  const theta = new Tensor(1, size, fitted.x);
  const outStd = new Tensor(1, k, model.scaling.targetStd.slice());
  const outMean = new Tensor(1, k, model.scaling.targetMean.slice());
  return {
    inputNames: model.inputNames,
    outputNames: model.outputNames,
    predict: (x: Tensor) => add(mul(apply(theta, model.scaleInputs(x)), outStd), outMean),
  };
}
