/**
 * What the optimizer needs of a trained process model: named inputs and outputs in physical units and
 * a differentiable prediction. `scaledSurrogate` wraps a model trained on standardized features.
 */
import type { Model } from '../nn/mlp.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import { add, div, mul, sub } from '../tensor/ops/index.js';

export interface ProcessSurrogate {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Predictions [n, outputs] for inputs [n, inputs], both in physical units; differentiable. */
  predict(inputs: Tensor): Tensor;
}

/** Per-feature mean and standard deviation. */
export interface FeatureScaling {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * A surrogate from a model trained on standardized inputs and outputs: predict(x) = unscale(model(scale(x))).
 * @example
 * const s = scaledSurrogate(mlp, { inputNames: ['F_B', 'T_R'], outputNames: ['profit'], inputScaling, outputScaling });
 */
export function scaledSurrogate(
  model: Model,
  options: { inputNames: readonly string[]; outputNames: readonly string[]; inputScaling?: FeatureScaling; outputScaling?: FeatureScaling },
): ProcessSurrogate {
  const { inputNames, outputNames } = options;
  if (inputNames.length !== model.inputSize) {
    throw new RangeError(`scaledSurrogate: ${inputNames.length} input names for a model with ${model.inputSize} inputs`);
  }
  if (outputNames.length !== model.outputSize) {
    throw new RangeError(`scaledSurrogate: ${outputNames.length} output names for a model with ${model.outputSize} outputs`);
  }
  const row = (v: Float64Array | undefined, n: number, fill: number): Tensor => new Tensor(1, n, v === undefined ? new Float64Array(n).fill(fill) : v.slice());
  const inMean = row(options.inputScaling?.mean, inputNames.length, 0);
  const inStd = row(options.inputScaling?.std, inputNames.length, 1);
  const outMean = row(options.outputScaling?.mean, outputNames.length, 0);
  const outStd = row(options.outputScaling?.std, outputNames.length, 1);
  return {
    inputNames,
    outputNames,
    predict(inputs: Tensor): Tensor {
      if (inputs.cols !== inputNames.length) {
        throw new RangeError(`surrogate.predict: inputs ${shapeOf(inputs)} but the model takes ${inputNames.length} (${inputNames.join(', ')})`);
      }
      return add(mul(model.forward(div(sub(inputs, inMean), inStd)), outStd), outMean);
    },
  };
}
