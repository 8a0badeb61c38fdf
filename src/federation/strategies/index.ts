/** The strategies: small factories of `Strategy` (see ../strategy.ts). */
export { fedAvg, fedProx, type FedAvgOptions, type FedProxOptions } from './fed-avg.js';
export { fedAdam, fedYogi, fedAdagrad, type FedOptOptions } from './fed-opt.js';
export { scaffold, type ScaffoldOptions } from './scaffold.js';
export { median, trimmedMean, krum, type RobustOptions, type TrimmedMeanOptions, type KrumOptions } from './robust.js';
export { personalized, type PersonalizedOptions } from './personalized.js';
export { defineStrategy, weightedMeanUpdate, meanOf, applyUpdate } from './define.js';
