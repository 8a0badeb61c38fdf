/**
 * What the optimizer needs of a trained process model: named inputs and outputs in physical units and
 * a differentiable prediction. `ProcessModel` (src/nn/process-model.ts) is one; an analytic model or an
 * ensemble wrapper can be another.
 */
import type { Tensor } from '../tensor/tensor.js';

export interface ProcessSurrogate {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Predictions [n, outputs] for inputs [n, inputs], both in physical units; differentiable. */
  predict(inputs: Tensor): Tensor;
}
