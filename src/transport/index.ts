/**
 * Network adapters of the federation: the gRPC Grid (coordinator side), the plant-side client,
 * credentials and PKI, the binary codec, config files and the runtimes behind the CLI.
 */
export { decodeBundle, decodeVector, encodeBundle, encodeVector, maxVectorLength, type DecodeVectorOptions, type VectorBundle, type WireVector } from './codec.js';
export { GrpcGrid, type GrpcGridOptions, type ServerSecurity, type TransportLogEntry } from './grpcGrid.js';
export { connectPlant, type ClientSecurity, type PlantConnection, type PlantConnectionEvent, type PlantConnectionOptions } from './plantConnection.js';
export { hashSecret, issuePlantToken, parseBearer, registryAuthenticator, type CallCredentials, type PlantAuthenticator } from './credentials.js';
export { certificateFingerprint, createCertificateAuthority, issueCertificate, type IssuedCertificate, type PemPair } from './pki.js';
export { enrollPlant, ensureFederationPki, revokePlant, type EnrolledPlant, type EnrollOptions, type FederationPki } from './enrollment.js';
export { coordinatorConfigSchema, modelConfigSchema, parseConfig, plantConfigSchema, plantDataConfigSchema, readConfigFile, secureAggregationConfigSchema, strategiesNeedingIndividualUpdates, strategyConfigSchema, type CoordinatorConfig, type PlantConfig, type PlantDataConfig, type SecureAggregationConfig, type StrategyConfig } from './config.js';
export { perCoordinateStatistics, secureAggregationCoordinator, secureAggregationSettings } from './secureAggregation.js';
export { startCoordinator, strategyFromConfig, type RunningCoordinator, type StartCoordinatorOptions } from './coordinatorRuntime.js';
export { loadPlantData, startPlant, type RunningPlant, type StartPlantOptions } from './plantRuntime.js';
export { crucibleService, errorCodeTrailer, protoPath } from './service.js';
export { protocolVersion } from './wire.js';
