/**
 * Flowsheets with recycles: units and streams, tear-stream selection, tear solvers, the cumene plant,
 * unit surrogates (local or federated) and fine-tuning through the unrolled solver.
 */
export { Flowsheet, streamWidth, type FlowsheetStream, type FlowsheetUnit, type PortRef } from './flowsheet.js';
export { flowsheetSpecSchema, parseFlowsheetSpec, portsOf, unitKinds, type FlowsheetSpec, type FlowsheetSpecInput, type UnitKind, type UnitSpec } from './spec.js';
export { chooseTears, elementaryCycles, planTears, stronglyConnectedComponents, type GraphEdge, type PlanTearsOptions, type TearPlan } from './tearing.js';
export {
  assertConverged, solveTears, tearMethods,
  type TearCaseResult, type TearMethod, type TearProblem, type TearSolution, type TearSolveOptions, type TearStatus,
} from './solvers.js';
export { SequentialModular, selectRows, type FlowsheetInputs, type PassResult, type UnitModel } from './sequential.js';
export { UnitSurrogate, standardization, varyingColumns, type Standardization, type SurrogateOptions, type SurrogateTrainOptions, type UnitTable } from './surrogate.js';
export { SurrogateFlowsheet, type SurrogateTrainingData } from './surrogate-flowsheet.js';
export { fineTune, selectCases, unrolledLoss, type FineTuneOptions, type SteadyStateCases } from './finetune.js';
export { evaluateSurrogateFlowsheet, r2Columns, unitR2, type EvaluateOptions, type FlowsheetEvaluation, type SolverEvaluation } from './evaluate.js';
export { fineTuneFederated, pooledStandardization, trainSurrogatesFederated, type FederatedFineTuneOptions, type FederatedSurrogateOptions, type PlantUnitData } from './federated.js';
export {
  fastCumeneExperiment, formatExperimentTable, fullCumeneExperiment, runCumeneExperiment, solverRows, worstUnitR2Drop,
  type CumeneExperimentOptions, type CumeneExperimentResult, type SolverRow,
} from './experiment.js';
export {
  cumeneFlowsheetSpec, cumeneConditionRanges, cumeneInputs, cumeneUnitModels, nominalCumeneConditions, nominalCumenePlant,
  sampleCumeneConditions, simulateCumene, tightRecycleWindow,
  type CumeneConditions, type CumenePlant, type CumeneSimulation, type SampleConditionsOptions,
} from './cumene/process.js';
export { cumeneDataFor, generateCumeneData, type FlowsheetData, type GenerateOptions, type UnitData } from './cumene/data.js';
export { cumeneComponents, molarMass, numericUnit, type NumericUnit } from './cumene/units.js';
