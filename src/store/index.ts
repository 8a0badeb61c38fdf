/**
 * Durable state of a coordinator in SQLite: runs, rounds, metrics, checkpoints with strategy state,
 * the plant registry and the privacy ledger; the round loop's RoundStore on top of it.
 */
export { CrucibleStore, type PlantMetrics, type RoundRecord, type RoundSummaryRow, type RunRow, type RunStatus, type StoredCheckpoint, type StoreOptions } from './store.js';
export { SqliteRoundStore } from './roundStore.js';
export { PlantRegistry, plantIdPattern, type PlantRecord } from './plantRegistry.js';
export { type PrivacyEntry, type PrivacyLedgerRow } from './privacyLedger.js';
export { readStatus, type FederationStatus, type PlantStatus } from './status.js';
export { decodeSnapshot, encodeSnapshot, type Snapshot } from './snapshot.js';
