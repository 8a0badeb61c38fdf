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
export { lossGradient } from './nn/loss-gradient.js';
export { clippedGradientSum, perExampleGradNorms, type ClippedGradientSum, type PerExampleOptions } from './nn/per-example.js';
export type { MlpTrace } from './nn/mlp.js';
export { decodeModel, encodeModel } from './nn/serialize.js';
export { exportTfjsModel, loadModel, saveModel } from './nn/save.js';
export { toTfjsLayersModel, type TfjsExportOptions, type TfjsModelJson, type TfjsWeightSpec } from './nn/tfjs-export.js';
export * from './data/index.js';
export * from './process/index.js';
// federation (core: messages, grid seam, plant pipeline, strategies, round loop)
export * from './federation/index.js';
// flowsheets (units, tear streams, tear solvers, surrogates, fine-tuning through the solver)
export * from './flowsheet/index.js';
// hybrid (physics-based) models, classification, drift
export { HybridModel, type HybridModelSpec, type PhysicalParameterSpec, type PhysicalValues, type ParameterScope, type ResidualSpec } from './hybrid/hybrid-model.js';
export { applyTransform, toRaw, transformValue, type ParameterTransform } from './hybrid/transforms.js';
export { keepPlantParametersLocal, type PlantLocalParameters } from './hybrid/plant-parameters.js';
export { buildModel, modelSpecSchema, parseModelSpec, plantMiddlewareFor, type ModelShape, type ModelSpec } from './hybrid/model-spec.js';
export { cstrKineticsPlants, cstrSteadyStateData, kineticsStandardErrors, trueKinetics, vanDeVusseKineticsModel, type CstrKineticsData, type CstrKineticsModelOptions, type CstrKineticsPlant } from './hybrid/examples/cstr-kinetics.js';
export { eafEnergyData, eafEnergyModel, trueEafEfficiency, type EafEnergyModelOptions } from './hybrid/examples/eaf-energy.js';
export { balancedClassWeights, classificationLoss, oneHot, sigmoidCrossEntropy, softmaxCrossEntropy, type ClassificationLossOptions } from './classify/losses.js';
export { aucFromHistograms, classificationMetrics, confusionMatrix, poolConfusion, poolHistograms, rocAuc, scoreHistogram, type ClassMetrics, type ClassificationMetrics, type ConfusionMatrix, type ScoreHistogram } from './classify/metrics.js';
export { castingDefects, offSpecHeats, type CastingDefectOptions, type DefectTask, type OffSpecLimits } from './classify/defects.js';
export { Adwin, PageHinkley, type AdwinOptions, type DetectorState, type PageHinkleyOptions } from './drift/detectors.js';
export { kolmogorovSurvival, ksTwoSample, type KsResult } from './drift/ks-test.js';
export { DriftMonitor, driftReply, type DriftMonitorOptions, type DriftStatus, type ResidualDetectorSpec } from './drift/monitor.js';
export { collectDriftReports, retrainFromCurrent, retrainingDecision, type DriftReport, type RetrainingDecision, type RetrainingPolicy } from './drift/retraining.js';
export { modelDriftHandlers, type ModelDriftOptions } from './drift/model-watch.js';
export { watchForDrift, type DeployedModel, type DriftWatchEvent, type DriftWatchOptions } from './drift/watch.js';
export { reloadingPlant } from './drift/reloading-plant.js';
export { coordinatorDriftConfigSchema, plantDriftConfigSchema, residualDetectorSchema, type CoordinatorDriftConfig } from './drift/config.js';
export { classificationSummary, classifierStrategy, classifierTasks, classProbabilities, collectClassCounts, evaluateClassifierFederated, type ClassifierStrategyOptions, type ClassifierTasksOptions } from './classify/federated.js';
export { Classifier, classifierTraining } from './classify/classifier.js';
export { classifierPlantOptions, stratifiedSplit } from './classify/plant.js';
export type { ClassificationEvaluation, ClassificationReport } from './federation/evaluation.js';
export { integrateRk4, integrateRk4WithSensitivities, type OdeEvaluation, type OdeRightHandSide, type OdeSystem, type Rk4Options, type SensitivityRk4Options, type StagePoint } from './hybrid/ode.js';
export { gaussNewton, gaussNewtonTasks, type GaussNewtonOptions, type GaussNewtonTasksOptions } from './hybrid/gauss-newton.js';
export { standardErrors, type StandardErrors } from './hybrid/identifiability.js';
export { cstrDynamicsPlants, cstrLogWindows, cstrWindowLayout, vanDeVusseDynamicModel, type AnalyserTiming, type CstrDynamicModelOptions, type CstrLogWindowOptions, type CstrWindowData } from './hybrid/examples/cstr-dynamics.js';
export { cstrDynamicsStudy, type CstrDynamicsStudy, type CstrDynamicsStudyOptions, type KineticsEstimate } from './hybrid/examples/cstr-dynamics-study.js';
// privacy (secure aggregation, differential privacy with accountant and ledger, audit)
export * from './privacy/index.js';
// transport (gRPC grid, plant client, credentials, PKI, config, runtimes) and durable state (SQLite store)
export * from './transport/index.js';
export * from './store/index.js';
// optimization on trained models (setpoints, chance constraints, sequential LP, charge mix) and the studies on simulated plants
export * from './optimize/index.js';
export * from './study/index.js';
export { paretoSvg } from './report/pareto.js';
// demo (the `crucible demo` pipeline as a library) and the web dashboard
export { runDemo, defaultDemoOptions, fastDemoOverrides, type DemoOptions, type DemoEvent, type DemoResult, type PlantMetricsRow } from './demo/run-demo.js';
export { preparePlants, demoScenarios, type DemoScenario, type PreparedPlants, type DemoPlant } from './demo/plants.js';
export { steadyStateSurrogate } from './demo/optimize.js';
export { fineTune, type FineTuneOptions } from './demo/personalize.js';
export { noiseMultiplierFor } from './demo/dp.js';
export { startDashboard, dashboardStatus, type DashboardOptions, type RunningDashboard } from './dashboard/server.js';
