/**
 * Crucible: federated learning of process models across industrial plants.
 * The public library API; every folder's own entry re-exports what users need.
 */
export * from './errors.js';
export { Rng } from './tensor/rng.js';
export { Tensor, type TapeNode, type TensorOptions } from './tensor/tensor.js';
export { backward, noGrad } from './tensor/autodiff.js';
export * from './tensor/ops/index.js';
export { Parameters, type ParameterShape, type ParameterEntry } from './nn/parameters.js';
export { Mlp, type MlpSpec, type Model } from './nn/mlp.js';
export { Dense } from './nn/dense.js';
export { activation, activationNames, type ActivationName } from './nn/activation.js';
