/**
 * Federation: messages, the Grid seam (with its in-memory implementation), the plant pipeline,
 * strategies, federated evaluation and feature scaling, and the round loop. Test-only helpers
 * (`grid-conformance.ts`, `test-support.ts`) are deliberately not exported here.
 */
export * from './messages.js';
export { GridEvents, type Grid, type GridEvent, type SendOptions, type WaitOptions } from './grid.js';
export { Inbox, type Verdict } from './inbox.js';
export { InMemoryGrid, type InMemoryGridOptions, type InMemoryPlant } from './in-memory-grid.js';
export { createPlant, type Plant, type PlantData, type PlantHandler, type PlantInfo, type PlantMiddleware, type PlantOptions } from './plant.js';
export { trainLocally, type LocalTrainingOptions, type LocalTrainingOutcome } from './local-training.js';
export { poolRegressionSums, regressionMetrics, regressionSums, type RegressionMetrics, type RegressionSums } from './evaluation.js';
export { emptyState, pooledEvaluation, type AggregateFitInput, type AggregateFitOutcome, type EvaluationSummary, type FitContext, type FitPlan, type Json, type PlantEvaluation, type Strategy, type StrategyState } from './strategy.js';
export * from './strategies/index.js';
export { checkFitReply, type FitCheck } from './fit-validation.js';
export { runStage, type StageOptions, type StageOutcome, type StragglerPolicy } from './stage.js';
export { runFederation, type FederationOptions, type FederationTimeouts, type FitCollector } from './run.js';
export type { DroppedPlant, FederationEvent, RoundResult } from './round-result.js';
export { InMemoryRoundStore, type Checkpoint, type RoundStore } from './round-store.js';
export { plainSummation, type Summation, type SumOutcome } from './summation.js';
export { federatedScaling, meanAndStd, type FeatureScaling, type FederatedScalingOptions } from './feature-scaling.js';
export { roundSeed } from './seeds.js';
export { linearPlants, pooledLeastSquares, type LinearPlantSpec } from './synthetic.js';
