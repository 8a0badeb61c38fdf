/**
 * Privacy: secure aggregation (SecAgg / SecAgg+), differential privacy with an RDP accountant and a
 * durable ledger, and the privacy audit. See docs/threat-model.md and docs/privacy.md.
 */
// secure aggregation
export { SecAggPlant, type SecAggPlantOptions } from './secagg/plant.js';
export { SecAggCoordinator, type SecAggCoordinatorOptions, type SecAggResult } from './secagg/coordinator.js';
export { runSecAggRound, plainSum, type SecAggRoundOptions } from './secagg/run.js';
export { FixedPoint, type FixedPointOptions } from './secagg/fixedPoint.js';
export { shamirSplit, shamirCombine, type ShamirShare } from './secagg/shamir.js';
export { harary, defaultDegree, defaultThreshold } from './secagg/graph.js';
export { systemEntropy, seededEntropy, type Entropy } from './secagg/entropy.js';
export { secAggStages, type SecAggStage, type SecAggSettings, type AdvertisedKeys, type Roster, type SharedKeys, type ShareDelivery, type MaskedInput, type UnmaskRequest, type UnmaskShares } from './secagg/messages.js';
export { secureAggregationPlant, type SecureAggregationPlantOptions } from './secagg/plantMiddleware.js';
export { secureSummation, type SecureSummation, type SecureSummationOptions } from './secagg/secureSummation.js';
export { secureFitCollector, isSecureAggregate } from './secagg/fitCollector.js';
export { secAggTaskKinds } from './secagg/tasks.js';
// differential privacy
export { RdpAccountant, type RdpAccountantOptions, type PrivacyEvent, type GaussianEvent, type DistributedDiscreteGaussianEvent } from './dp/accountant.js';
export { DEFAULT_ORDERS, subsampledGaussianRdp, epsilonFromRdp, type RdpConversion } from './dp/rdp.js';
export { noiseMultiplierForEpsilon } from './dp/calibrate.js';
export { MemoryPrivacyLedger, storePrivacyLedger, accountantFromLedger, type PrivacyLedger, type PrivacyLedgerEntry, type PrivacyLedgerStore } from './dp/ledger.js';
export { BudgetGuard, type PrivacyBudget } from './dp/budget.js';
export { clipToNorm } from './dp/clip.js';
export { CryptoUniform, addGaussianNoise, type UniformSource } from './dp/noise.js';
export { sampleDiscreteGaussian, discreteGaussianVector } from './dp/discreteGaussian.js';
export { clipUpdates, type ClipUpdatesOptions } from './dp/clipUpdates.js';
export { dpFedAvg, type DpFedAvgOptions, type ClippingOptions } from './dp/dpFedAvg.js';
export { distributedDpPlant, distributedDpCodec, distributedDpEvent, type DistributedDpOptions } from './dp/distributedDp.js';
export { accounted } from './dp/accounted.js';
export { dpFromTask, type DpFromTaskOptions } from './dp/dpFromTask.js';
export { privateStrategy, type DifferentialPrivacySpec, type PrivateStrategy, type PrivateStrategyContext } from './dp/privateStrategy.js';
export { trainDpSgd, type DpSgdOptions, type DpSgdOutcome } from './dp/dpSgd.js';
export { dpSgdPlant, type DpSgdPlantOptions } from './dp/dpSgdPlant.js';
// audit
export { runPrivacyAudit, formatAuditReport, type AuditOptions, type AuditReport, type InversionRow, type MembershipRow } from './audit/audit.js';
export { firstLayerCandidates, recoverTarget, reconstructionError, type ReconstructionScore } from './audit/gradientInversion.js';
export { matchGradients, oneStepUpdate, type GradientMatch, type GradientMatchingOptions } from './audit/gradientMatching.js';
export { federatedAccuracy, formatAccuracyReport, type AccuracyOptions, type AccuracyReport, type AccuracyRow } from './audit/federatedAccuracy.js';
export { lossThresholdAttack, perRecordLoss, areaUnderCurve, membershipAdvantage } from './audit/membershipInference.js';
