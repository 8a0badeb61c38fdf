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
export { enableGrad, grad, jacobian, valueAndGrad, vjp, type BackwardOptions } from './tensor/autodiff.js';
export { logSumExp, logSoftmax, softmax } from './tensor/composite.js';
export { assertGradient, checkGradient, type GradientCheckOptions, type GradientCheckResult } from './tensor/gradcheck.js';
export { luFactor, luSolve, type LuFactors } from './tensor/lu.js';
export { huber, lossByName, losses, mae, mse, type HuberOptions, type Loss, type LossName, type LossOptions, type Reduction } from './nn/losses.js';
export type { Optimizer, OptimizerState, Schedule } from './nn/optimizer.js';
export { Sgd, type SgdOptions } from './nn/sgd.js';
export { Adam, AdamW, type AdamOptions } from './nn/adam.js';
export { clipGradNorm, l2Norm } from './nn/clip.js';
export { constantSchedule, cosineSchedule, stepSchedule, warmupSchedule } from './nn/schedules.js';
export { checkModelData, evaluate, fit, predict, type EpochInfo, type FitHistory, type FitOptions, type StepInfo } from './nn/fit.js';
export { clippedGradientSum, perExampleGradNorms, type ClippedGradientSum, type PerExampleOptions } from './nn/per-example.js';
export type { MlpTrace } from './nn/mlp.js';
export { decodeModel, encodeModel } from './nn/serialize.js';
export { exportTfjsModel, loadModel, saveModel } from './nn/save.js';
export { toTfjsLayersModel, type TfjsExportOptions, type TfjsModelJson, type TfjsWeightSpec } from './nn/tfjs-export.js';
export * from './data/index.js';
export * from './process/index.js';
// federation (core: messages, grid seam, plant pipeline, strategies, round loop)
export * from './federation/index.js';
