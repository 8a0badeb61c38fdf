/**
 * Append-only privacy ledger: one row per privacy-relevant release (a DP round, a secure-aggregation
 * unmasking), so the budget spent by a run can be audited and recomputed after a restart.
 * The entry's shape belongs to the privacy engineer; the store keeps it as JSON with its round.
 *
 * @example
 * store.appendPrivacyEntry('run-1', { round: 3, mechanism: 'gaussian', noiseMultiplier: 1.1, sampleRate: 0.5 });
 * store.privacyLedger('run-1'); // [{ seq: 1, round: 3, recordedAt: '…', entry: { … } }]
 */
import type Database from 'better-sqlite3';

/** A ledger entry: its round plus any JSON fields the accountant needs. */
export interface PrivacyEntry {
  round: number;
  [field: string]: unknown;
}

export interface PrivacyLedgerRow {
  seq: number;
  round: number;
  recordedAt: string;
  entry: PrivacyEntry;
}

export class PrivacyLedger {
  constructor(private readonly db: Database.Database) {}

  /** Appends an entry and returns its sequence number. */
  append(runId: string, entry: PrivacyEntry): number {
    if (!Number.isInteger(entry.round) || entry.round < 0) {
      throw new RangeError(`appendPrivacyEntry: round must be a non-negative integer, got ${String(entry.round)}`);
    }
    const info = this.db
      .prepare('INSERT INTO privacy_ledger (run_id, round, recorded_at, entry_json) VALUES (?, ?, ?, ?)')
      .run(runId, entry.round, new Date().toISOString(), JSON.stringify(entry));
    return Number(info.lastInsertRowid);
  }

  entries(runId: string): PrivacyLedgerRow[] {
    const rows = this.db
      .prepare('SELECT seq, round, recorded_at, entry_json FROM privacy_ledger WHERE run_id = ? ORDER BY seq')
      .all(runId) as { seq: number; round: number; recorded_at: string; entry_json: string }[];
    return rows.map((r) => ({ seq: r.seq, round: r.round, recordedAt: r.recorded_at, entry: JSON.parse(r.entry_json) }));
  }
}
