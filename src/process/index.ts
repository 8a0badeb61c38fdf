/**
 * First-principles plant simulators, their true optima, and seeded fleets of heterogeneous plants.
 * Pure code: nothing here reads files, opens sockets or prints.
 */
// Public name SimulatedDataset: data/ exports its own PlantDataset (a dataset read from files).
export { type PlantDataset as SimulatedDataset, type ProcessName, datasetRows } from './dataset.js';
export {
  scenario,
  scenarioFromConfigs,
  presetNames,
  type PresetName,
  type Scenario,
  type ScenarioOptions,
  type SimulatedPlant,
  type WilliamsOttoTruth,
  type CstrTruth,
  type EafTruth,
} from './scenario.js';
export {
  nominalWilliamsOtto,
  williamsOttoBounds,
  williamsOttoLimits,
  williamsOttoBalances,
  williamsOttoSteadyState,
  williamsOttoParametersSchema,
  type WilliamsOttoParameters,
  type WilliamsOttoState,
} from './williamsOtto.js';
export { williamsOttoOptimum, type WilliamsOttoOptimum, type WilliamsOttoOptimumOptions, type WilliamsOttoConstraint } from './williamsOttoOptimum.js';
export { williamsOttoPlantConfigSchema, generateWilliamsOttoRecords, williamsOttoColumns, type WilliamsOttoPlantConfig } from './williamsOttoLog.js';
export {
  nominalVanDeVusse,
  nominalVanDeVusseInputs,
  vanDeVusseRhs,
  vanDeVusseRates,
  vanDeVusseSteadyState,
  vanDeVusseProfit,
  vanDeVusseParametersSchema,
  type VanDeVusseParameters,
  type VanDeVusseInputs,
  type VanDeVusseSteadyState,
} from './vanDeVusse.js';
export { vanDeVusseOptimum, type VanDeVusseOptimum } from './vanDeVusseOptimum.js';
export { vanDeVusseConstrainedOptimum, type VanDeVusseConstrainedOptimum, type VanDeVusseLimits } from './vanDeVusseConstrainedOptimum.js';
export { cstrPlantConfigSchema, generateCstrLog, cstrColumns, type CstrPlantConfig, type SensorSpec } from './vanDeVusseLog.js';
export { exothermicCstr, exothermicCstrResidual, exothermicCstrSteadyStates } from './exothermicCstr.js';
export { eafElements, eafMaterialSchema, referenceMaterials, gangueFraction, type EafElement, type EafMaterial } from './eaf/materials.js';
export {
  eafPlantSchema,
  simulateHeat,
  nominalPractice,
  materialCoefficients,
  steelRecovery,
  oxidationHeatKWhPerKg,
  type EafPlant,
  type HeatPractice,
  type HeatResult,
} from './eaf/heat.js';
export { optimalCharge, chargeLp, eafSpecSchema, type EafSpec, type OptimalCharge } from './eaf/optimalCharge.js';
export { eafPlantConfigSchema, generateEafHeats, eafColumns, eafReportedElements, type EafPlantConfig } from './eaf/heatLog.js';
export { integrateOde, type OdeRhs, type OdeOptions, type OdeSolution } from './ode/dormandPrince.js';
export { solveNonlinear, type NewtonOptions, type NewtonResult } from './numeric/newton.js';
