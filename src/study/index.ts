/**
 * Studies on simulated plants, and the models they rest on: federated vs local training
 * (compareTraining), the Williams–Otto setpoint study with plant-adapted response surfaces, and the
 * EAF charge study with the mass-balance charge model fitted by federated alternating least squares.
 * See docs/optimization.md.
 */
export { compareTraining, scalingOf, standardize as standardizeTargets, type CompareOptions, type CompareResult, type PlantSplit, type MethodMetrics } from './compare.js';
export { calibrate } from './calibrate.js';
export { PlantAdaptedModel, monomialExponents, type PlantAdaptedModelSpec } from './plant-adapted-model.js';
export { responseSurfaceStatistics, responseSurfaceStd, sumStatistics, type ResponseSurfaceStatistics } from './response-surface-uncertainty.js';
export { federateWithLocalParameters, type FederateWithLocalOptions, type LocalParameterRun, type LocalParameterTraining } from './federate-local.js';
export { trainPersonalizedFederation, physicalSurrogate, type PersonalizedFederation, type PersonalizedFederationOptions } from './personalized-federation.js';
export { sameProcessFleet, validationFleet, fleetSplits, williamsOttoStudyColumns } from './williams-otto-fleet.js';
export { optimizationStudy, optimizationStudySeeds, summarizeStudy, residualStd, studyMethods, type OptimizationStudyOptions, type StudyMethod, type StudyRow, type StudySummary } from './optimization-study.js';
export { eafChargeColumns, eafCoefficientSurrogate, eafModelElements, neutralFactors, plantContentFactors, type EafCoefficients, type EafPlantFactors } from './eaf-charge-model.js';
export { fitPlantFactors, plantNormalEquations, solveSharedCoefficients, solveNonNegative, type EafContentPrior } from './eaf-charge-fit.js';
export { eafFitHandler, eafNormalEquationsKind, federatedEafFit, fitEafOnGrid, type EafFit, type EafFitOptions, type EafGridFitOptions, type EafModelTemplate } from './eaf-charge-federation.js';
export { eafChargeProblem, eafFleetSplits, eafTrueSurrogate, obsoleteScrapGrades, type EafChargeProblemOptions } from './eaf-charge.js';
export { encodeEafChargeModel, decodeEafChargeModel, type EafChargeModelFile } from './eaf-charge-model-file.js';
export { eafChargeStudy, eafParetoComparison, eafValidationFleet, fitEafStudyModels, referenceContentPrior, scoreCharge, scoreOnTruth, studySpec, type EafStudyMethod, type EafStudyOptions, type EafStudyRow, type ParetoComparison } from './eaf-charge-study.js';
export { trueOutcome, evaluateOnTruth, type TrueEvaluation } from './true-outcome.js';
