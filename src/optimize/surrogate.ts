/**
 * What the optimizer needs of a trained process model: named inputs and outputs in physical units and
 * a differentiable prediction. `ProcessModel` (src/nn/process-model.ts) is one; an analytic model, a
 * plant-personalized model or an ensemble (`ensembleSurrogate`) can be another.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface ProcessSurrogate {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Predictions [n, outputs] for inputs [n, inputs], both in physical units; differentiable. */
  predict(inputs: Tensor): Tensor;
  /**
   * The model's predictive standard deviation of each output [n, outputs] (physical units;
   * differentiable): what chance constraints and `sd(y)` in expressions read. Absent when the
   * model does not know its uncertainty.
   */
  predictStd?(inputs: Tensor): Tensor;
}
