/**
 * Where the round loop checkpoints: after every completed round it saves the new global parameters,
 * the strategy's state and the round's result in ONE atomic write; on start it loads the latest
 * checkpoint of the run and continues from the next round. `src/store/` implements this on SQLite;
 * `InMemoryRoundStore` serves tests and simulations.
 *
 * Because every round's randomness is derived from (seed, round) — never from a generator that ran
 * through earlier rounds — a run resumed from round r's checkpoint finishes with the same model as an
 * uninterrupted run.
 *
 * @example
 * const store = new InMemoryRoundStore();
 * for await (const r of runFederation(grid, fedAvg(), { ...options, store })) …
 * // after a crash: the same call resumes after the last saved round
 */
import type { FeatureScaling } from './feature-scaling.js';
import type { RoundResult } from './round-result.js';
import type { StrategyState } from './strategy.js';

/** The state after a completed round: all that a resumed run needs. */
export interface Checkpoint {
  readonly runId: string;
  /** The last completed round (1-based). */
  readonly round: number;
  /** `Strategy.name` of the run (a resume with another strategy is refused). */
  readonly strategy: string;
  readonly parameters: Float64Array;
  readonly strategyState: StrategyState;
  /** The run's federated feature scaling, if it computed one. */
  readonly scaling?: FeatureScaling;
}

export interface RoundStore {
  /** The latest checkpoint of `runId`, or undefined for a new run. */
  loadLatest(runId: string): Promise<Checkpoint | undefined> | Checkpoint | undefined;
  /** Saves the checkpoint and the round's result together, atomically (all or nothing). */
  saveRound(checkpoint: Checkpoint, result: RoundResult): Promise<void> | void;
}

/** A RoundStore in memory (copies on the way in and out, like a real store). */
export class InMemoryRoundStore implements RoundStore {
  private readonly runs = new Map<string, { checkpoint: Checkpoint; results: RoundResult[] }>();

  loadLatest(runId: string): Checkpoint | undefined {
    const run = this.runs.get(runId);
    return run === undefined ? undefined : copyCheckpoint(run.checkpoint);
  }

  saveRound(checkpoint: Checkpoint, result: RoundResult): void {
    const run = this.runs.get(checkpoint.runId);
    const results = run?.results ?? [];
    this.runs.set(checkpoint.runId, { checkpoint: copyCheckpoint(checkpoint), results: [...results, result] });
  }

  /** The saved round results of a run, in order. */
  results(runId: string): readonly RoundResult[] {
    return this.runs.get(runId)?.results ?? [];
  }
}

function copyCheckpoint(c: Checkpoint): Checkpoint {
  const arrays: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(c.strategyState.arrays)) arrays[k] = v.slice();
  return {
    ...c,
    parameters: c.parameters.slice(),
    strategyState: { arrays, json: JSON.parse(JSON.stringify(c.strategyState.json)) },
    scaling: c.scaling === undefined ? undefined : { ...c.scaling },
  };
}
