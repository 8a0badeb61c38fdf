/**
 * The coordinator's durable state in one SQLite file: runs, rounds, per-plant metrics, global
 * checkpoints (parameters plus strategy state), the plant registry and the privacy ledger.
 *
 * A round is committed in ONE transaction (round row, metrics, checkpoint): after `kill -9` the file
 * holds either the whole round or none of it, so a restarted coordinator resumes from the last
 * completed round.
 *
 * @example
 * const store = CrucibleStore.open('crucible.db');
 * const run = store.createRun({ id: 'run-1', config: { rounds: 10 } });
 * store.commitRound(run.id, { round: 1, globalParameters, strategyState: {}, participants: ['a'], metrics: [], summary: {} });
 * store.lastCheckpoint(run.id)?.round; // 1
 */
import type Database from 'better-sqlite3';
import { bytesToFloat64, float64ToBytes } from '../transport/codec.js';
import { PlantRegistry } from './plantRegistry.js';
import { PrivacyLedger, type PrivacyEntry, type PrivacyLedgerRow } from './privacyLedger.js';
import { openDatabase } from './schema.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

export type RunStatus = 'running' | 'completed' | 'failed';

export interface RunRow {
  id: string;
  createdAt: string;
  status: RunStatus;
  config: unknown;
}

/** One metric set reported by one plant in one stage of a round. */
export interface PlantMetrics {
  plantId: string;
  stage: 'fit' | 'evaluate';
  values: Record<string, number>;
}

/** Everything a completed round leaves behind. */
export interface RoundRecord {
  round: number;
  globalParameters: Float64Array;
  /** Strategy state (server-optimizer moments, SCAFFOLD controls …): JSON-like, Float64Arrays kept bit-exact. */
  strategyState: unknown;
  participants: readonly string[];
  metrics: readonly PlantMetrics[];
  /** Aggregate metrics, failures, durations: anything JSON. */
  summary: Record<string, unknown>;
}

export interface StoredCheckpoint {
  round: number;
  globalParameters: Float64Array;
  strategyState: unknown;
}

export interface RoundSummaryRow {
  round: number;
  completedAt: string;
  participants: string[];
  summary: Record<string, unknown>;
}

export interface StoreOptions {
  /** How many checkpoints to keep per run (older ones are pruned in the commit transaction). Default 3. */
  keepCheckpoints?: number;
}

export class CrucibleStore {
  readonly db: Database.Database;
  readonly plants: PlantRegistry;
  private readonly ledger: PrivacyLedger;
  private readonly keepCheckpoints: number;

  private constructor(db: Database.Database, options: StoreOptions) {
    this.db = db;
    this.plants = new PlantRegistry(db);
    this.ledger = new PrivacyLedger(db);
    this.keepCheckpoints = options.keepCheckpoints ?? 3;
    if (!Number.isInteger(this.keepCheckpoints) || this.keepCheckpoints < 1) {
      throw new RangeError(`CrucibleStore: keepCheckpoints must be a positive integer, got ${this.keepCheckpoints}`);
    }
  }

  /** Opens or creates the store at `path` (`':memory:'` for tests). */
  static open(path: string, options: StoreOptions = {}): CrucibleStore {
    return new CrucibleStore(openDatabase(path), options);
  }

  close(): void {
    this.db.close();
  }

  /** Creates a run, or returns the existing one with that id (a restarted coordinator resumes it). */
  createRun(spec: { id: string; config: unknown }): RunRow {
    const existing = this.run(spec.id);
    if (existing !== undefined) return existing;
    this.db
      .prepare('INSERT INTO runs (id, created_at, status, config_json) VALUES (?, ?, ?, ?)')
      .run(spec.id, new Date().toISOString(), 'running', JSON.stringify(spec.config ?? null));
    return this.run(spec.id) as RunRow;
  }

  run(id: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, string> | undefined;
    return r === undefined ? undefined : { id: r.id, createdAt: r.created_at, status: r.status as RunStatus, config: JSON.parse(r.config_json) };
  }

  /** All runs, newest first. */
  runs(): RunRow[] {
    const rows = this.db.prepare('SELECT id FROM runs ORDER BY created_at DESC, rowid DESC').all() as { id: string }[];
    return rows.map((r) => this.run(r.id) as RunRow);
  }

  setRunStatus(id: string, status: RunStatus): void {
    this.db.prepare('UPDATE runs SET status = ? WHERE id = ?').run(status, id);
  }

  /** Writes a completed round atomically: round row, metrics and checkpoint, or nothing. */
  commitRound(runId: string, record: RoundRecord): void {
    const snapshot = encodeSnapshot(record.strategyState ?? null);
    const parameters = float64ToBytes(record.globalParameters);
    const now = new Date().toISOString();
    const tx = this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO rounds (run_id, round, completed_at, participants_json, summary_json) VALUES (?, ?, ?, ?, ?)')
        .run(runId, record.round, now, JSON.stringify(record.participants), JSON.stringify(record.summary));
      const metric = this.db.prepare('INSERT OR REPLACE INTO metrics (run_id, round, plant_id, stage, name, value) VALUES (?, ?, ?, ?, ?, ?)');
      for (const m of record.metrics) {
        for (const [name, value] of Object.entries(m.values)) {
          if (Number.isFinite(value)) metric.run(runId, record.round, m.plantId, m.stage, name, value);
        }
      }
      this.db
        .prepare('INSERT INTO checkpoints (run_id, round, parameters, state_json, state_vectors) VALUES (?, ?, ?, ?, ?)')
        .run(runId, record.round, Buffer.from(parameters.buffer, parameters.byteOffset, parameters.byteLength), snapshot.json, Buffer.from(snapshot.vectors));
      this.db
        .prepare('DELETE FROM checkpoints WHERE run_id = ? AND round <= ?')
        .run(runId, record.round - this.keepCheckpoints);
    });
    tx();
  }

  /** The newest checkpoint of a run, or undefined before its first round completes. */
  lastCheckpoint(runId: string): StoredCheckpoint | undefined {
    const r = this.db
      .prepare('SELECT round, parameters, state_json, state_vectors FROM checkpoints WHERE run_id = ? ORDER BY round DESC LIMIT 1')
      .get(runId) as { round: number; parameters: Buffer; state_json: string; state_vectors: Buffer } | undefined;
    if (r === undefined) return undefined;
    return { round: r.round, globalParameters: bytesToFloat64(r.parameters), strategyState: decodeSnapshot(r.state_json, r.state_vectors) };
  }

  /** Completed rounds of a run, oldest first. */
  rounds(runId: string): RoundSummaryRow[] {
    const rows = this.db
      .prepare('SELECT round, completed_at, participants_json, summary_json FROM rounds WHERE run_id = ? ORDER BY round')
      .all(runId) as { round: number; completed_at: string; participants_json: string; summary_json: string }[];
    return rows.map((r) => ({ round: r.round, completedAt: r.completed_at, participants: JSON.parse(r.participants_json), summary: JSON.parse(r.summary_json) }));
  }

  /** Per-plant metrics of one round (or of all rounds when `round` is omitted). */
  metrics(runId: string, round?: number): (PlantMetrics & { round: number })[] {
    const rows = this.db
      .prepare(`SELECT round, plant_id, stage, name, value FROM metrics WHERE run_id = ?${round === undefined ? '' : ' AND round = ?'} ORDER BY round, plant_id, stage, name`)
      .all(...(round === undefined ? [runId] : [runId, round])) as { round: number; plant_id: string; stage: 'fit' | 'evaluate'; name: string; value: number }[];
    const grouped = new Map<string, PlantMetrics & { round: number }>();
    for (const r of rows) {
      const key = `${r.round}\u0000${r.plant_id}\u0000${r.stage}`;
      let g = grouped.get(key);
      if (g === undefined) grouped.set(key, (g = { round: r.round, plantId: r.plant_id, stage: r.stage, values: {} }));
      g.values[r.name] = r.value;
    }
    return [...grouped.values()];
  }

  /** Appends one privacy-accounting entry (e.g. { round, epsilon, delta, mechanism }) to a run's ledger. */
  appendPrivacyEntry(runId: string, entry: PrivacyEntry): number {
    return this.ledger.append(runId, entry);
  }

  /** A run's privacy ledger in the order entries were appended. */
  privacyLedger(runId: string): PrivacyLedgerRow[] {
    return this.ledger.entries(runId);
  }
}
