/**
 * Plant data: schemas, validating CSV/Parquet readers, atomic writers and manifests, time-series
 * features, time splits and scaling from sufficient statistics. See docs/data.md.
 */
export {
  columnSpecSchema,
  dataColumns,
  featureSpecSchema,
  missingPolicySchema,
  parsePlantSchema,
  plantSchema,
  plantSchemaSchema,
  readPlantSchema,
  timeSpecSchema,
  type ColumnSpec,
  type FeatureSpec,
  type MissingPolicy,
  type PlantSchema,
  type PlantSchemaInput,
  type TimeSpec,
} from './schema.js';
export {
  datasetFromColumns,
  describeProvenance,
  memoryProvenance,
  sliceDataset,
  type DataProvenance,
  type PlantDataset,
  type RowRange,
} from './dataset.js';
export { CsvTokenizer, csvField, parseCsv, type CsvRecord, type CsvTokenizerOptions } from './csv.js';
export { DatasetBuilder, dataInvalid, formatIssue, type DataIssue, type DatasetBuilderOptions } from './builder.js';
export { parsePlantCsv, readPlantCsv, type ReadCsvOptions } from './read-csv.js';
export { parsePlantParquet, readPlantParquet, type ReadParquetOptions } from './read-parquet.js';
export { plantCsvLines, writeFileAtomic, writePlantCsv, writePlantSchema } from './write.js';
export {
  manifestPlantSchema,
  plantManifest,
  plantManifestSchema,
  readManifest,
  readManifestPlants,
  readPlantData,
  writeManifest,
  writePlantFiles,
  type ManifestPlant,
  type PlantManifest,
} from './manifest.js';
export {
  buildFeatures,
  featureColumns,
  maxLagOf,
  segmentStarts,
  staticFeatures,
  type BuildFeaturesOptions,
  type FeatureColumn,
  type FeatureTable,
} from './features.js';
export { splitFeatures, timeSplit, type SplitFeatures, type TimeSplit, type TimeSplitOptions } from './split.js';
export {
  combineSums,
  featureSums,
  fitStandardizer,
  scalerFromSums,
  standardize,
  unstandardize,
  type Standardizer,
  type SufficientStats,
} from './scaler.js';
export { datasetFromSimulation, schemaFromSimulation } from './simulated.js';
export { writeSimulatedPlants, type SimulatePlantsOptions } from './simulate.js';
export {
  bundledDebutanizerCsv,
  debutanizerExperiment,
  debutanizerSchema,
  rSquared,
  type BlockResult,
  type DebutanizerOptions,
  type DebutanizerResult,
  type ModelScores,
} from './examples/debutanizer.js';
