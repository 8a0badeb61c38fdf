/**
 * The round loop's `RoundStore` on SQLite: each completed round's checkpoint (parameters, strategy
 * state, feature scaling) and result (participants, per-plant metrics, dropped plants) are written in
 * one transaction by `CrucibleStore.commitRound`, so a coordinator killed at any instant resumes from
 * the last completed round.
 *
 * @example
 * const store = CrucibleStore.open('crucible.db');
 * for await (const r of runFederation(grid, fedAvg(), { ...options, store: new SqliteRoundStore(store) })) …
 */
import type { FeatureScaling } from '../federation/feature-scaling.js';
import type { RoundResult } from '../federation/round-result.js';
import type { Checkpoint, RoundStore } from '../federation/round-store.js';
import type { StrategyState } from '../federation/strategy.js';
import type { CrucibleStore, PlantMetrics } from './store.js';

/** What the checkpoint's state snapshot holds besides the parameters. */
interface SavedState {
  strategy: string;
  strategyState: StrategyState;
  scaling: FeatureScaling | null;
}

export class SqliteRoundStore implements RoundStore {
  constructor(
    private readonly store: CrucibleStore,
    private readonly options: { runConfig?: unknown } = {},
  ) {}

  loadLatest(runId: string): Checkpoint | undefined {
    const c = this.store.lastCheckpoint(runId);
    if (c === undefined) return undefined;
    const saved = c.strategyState as SavedState;
    return {
      runId,
      round: c.round,
      strategy: saved.strategy,
      parameters: c.globalParameters,
      strategyState: { arrays: saved.strategyState.arrays ?? {}, json: saved.strategyState.json ?? {} },
      ...(saved.scaling === null ? {} : { scaling: saved.scaling }),
    };
  }

  saveRound(checkpoint: Checkpoint, result: RoundResult): void {
    this.store.createRun({ id: checkpoint.runId, config: this.options.runConfig ?? null });
    const metrics: PlantMetrics[] = [];
    for (const [plantId, values] of Object.entries(result.fit.perPlant)) metrics.push({ plantId, stage: 'fit', values: { ...values } });
    for (const [plantId, values] of Object.entries(result.evaluation?.perPlant ?? {})) metrics.push({ plantId, stage: 'evaluate', values: { ...values } });
    const state: SavedState = { strategy: checkpoint.strategy, strategyState: checkpoint.strategyState, scaling: checkpoint.scaling ?? null };
    this.store.commitRound(checkpoint.runId, {
      round: checkpoint.round,
      globalParameters: checkpoint.parameters,
      strategyState: state,
      participants: result.participants,
      metrics,
      summary: {
        selected: result.selected,
        dropped: result.dropped,
        fit: result.fit.aggregated,
        evaluation: result.evaluation?.weighted ?? null,
        ...(result.evaluation?.classification === undefined ? {} : { classification: result.evaluation.classification }),
        durationMs: result.durationMs,
      },
    });
  }
}
