/**
 * What `crucible status` shows, read from the coordinator's store (safe while the coordinator runs:
 * WAL lets readers see the last committed round): the run, rounds done, the last round's metrics,
 * and every enrolled plant with whether it was seen recently.
 *
 * @example
 * const status = readStatus(CrucibleStore.open('crucible.db'));
 * console.log(`${status.run?.id}: ${status.roundsDone} rounds`);
 */
import type { CrucibleStore, PlantMetrics, RoundSummaryRow, RunRow } from './store.js';

export interface PlantStatus {
  id: string;
  revoked: boolean;
  lastSeenAt: string | null;
  /** Seen within `connectedWithinMs` (heartbeats arrive every few seconds while a plant is connected). */
  connected: boolean;
}

export interface FederationStatus {
  run: RunRow | undefined;
  roundsDone: number;
  lastRound: RoundSummaryRow | undefined;
  lastMetrics: PlantMetrics[];
  plants: PlantStatus[];
}

/** Status of `runId` (default: the newest run). */
export function readStatus(store: CrucibleStore, options: { runId?: string; connectedWithinMs?: number; now?: Date } = {}): FederationStatus {
  const run = options.runId === undefined ? store.runs()[0] : store.run(options.runId);
  const rounds = run === undefined ? [] : store.rounds(run.id);
  const lastRound = rounds[rounds.length - 1];
  const now = (options.now ?? new Date()).getTime();
  const window = options.connectedWithinMs ?? 20_000;
  return {
    run,
    roundsDone: rounds.length,
    lastRound,
    lastMetrics: run === undefined || lastRound === undefined ? [] : store.metrics(run.id, lastRound.round),
    plants: store.plants.list().map((p) => ({
      id: p.id,
      revoked: p.revokedAt !== null,
      lastSeenAt: p.lastSeenAt,
      connected: p.revokedAt === null && p.lastSeenAt !== null && now - Date.parse(p.lastSeenAt) <= window,
    })),
  };
}
