/**
 * The SQLite schema of a Crucible coordinator's durable state, applied once per database file.
 * WAL mode so `crucible status` can read while the coordinator writes; `synchronous = FULL` so a
 * committed round survives power loss, not only a killed process.
 */
import Database from 'better-sqlite3';

/** Bumped when the tables change; `openDatabase` refuses a file written by a newer Crucible. */
export const schemaVersion = 1;

const ddl = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  config_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
  run_id TEXT NOT NULL REFERENCES runs(id),
  round INTEGER NOT NULL,
  completed_at TEXT NOT NULL,
  participants_json TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  PRIMARY KEY (run_id, round)
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  plant_id TEXT NOT NULL,
  stage TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, round, plant_id, stage, name)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  run_id TEXT NOT NULL REFERENCES runs(id),
  round INTEGER NOT NULL,
  parameters BLOB NOT NULL,
  state_json TEXT NOT NULL,
  state_vectors BLOB NOT NULL,
  PRIMARY KEY (run_id, round)
);
CREATE TABLE IF NOT EXISTS plants (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL,
  cert_fingerprint TEXT,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  last_seen_at TEXT
);
CREATE TABLE IF NOT EXISTS privacy_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  entry_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS privacy_ledger_run ON privacy_ledger (run_id, seq);
`;

/** Opens (creating if needed) a store database and brings its schema up to date. */
export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(ddl);
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined;
  if (row === undefined) {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(schemaVersion));
  } else if (Number(row.value) > schemaVersion) {
    db.close();
    throw new RangeError(`Cannot open store ${path}: schema version ${row.value} is newer than this Crucible's ${schemaVersion}`);
  }
  return db;
}
