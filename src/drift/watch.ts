/**
 * The coordinator's drift watch after a run: every `checkEveryMs` it asks the connected plants for
 * their drift status (a `drift` task carrying the deployed model's parameters and scaling; replies
 * carry flags and scores only), applies the retraining policy, and when enough plants drift starts
 * a federated retraining run FROM THE DEPLOYED MODEL (`retrain`, with ids `<runId>.retrain-<k>`),
 * then tells the plants to reset their monitors and deploys the retrained model. An async
 * generator of what happens, for the CLI and tests; works over any grid.
 *
 * @example
 * for await (const e of watchForDrift(grid, deployed, (id, initial) => runFederation(grid, strategy, { ...options, runId: id, initialParameters: initial }), {
 *   runId: 'line-7', policy: { minDriftingPlants: 2 }, checkEveryMs: 60_000, maxRetrainings: 3, timeoutMs: 10_000,
 * })) console.log(e.type);
 */
import type { Grid } from '../federation/grid.js';
import type { ScalingArrays } from '../federation/messages.js';
import type { RoundResult } from '../federation/round-result.js';
import { collectDriftReports, retrainingDecision, type DriftReport, type RetrainingDecision, type RetrainingPolicy } from './retraining.js';

/** The model plants are running: what `drift` tasks carry. */
export interface DeployedModel {
  readonly parameters: Float64Array;
  readonly scaling?: ScalingArrays;
}

export interface DriftWatchOptions {
  /** The run whose model is deployed; retrainings are `<runId>.retrain-<k>`. */
  readonly runId: string;
  readonly policy: RetrainingPolicy;
  readonly checkEveryMs: number;
  /** Retraining runs to start at most (0: only watch and report). */
  readonly maxRetrainings: number;
  /** Stop after this many checks. Default: until aborted. */
  readonly maxChecks?: number;
  /** Number of the first retraining (after a restart: one more than those already in the store). Default 1. */
  readonly firstRetraining?: number;
  /** Deadline of each plant's drift reply. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export type DriftWatchEvent =
  | { readonly type: 'drift-check'; readonly check: number; readonly reports: readonly DriftReport[]; readonly decision: RetrainingDecision }
  | { readonly type: 'retraining-started'; readonly runId: string; readonly drifting: readonly string[] }
  | { readonly type: 'retraining-round'; readonly result: RoundResult }
  | { readonly type: 'retraining-completed'; readonly runId: string };

/** Watches for drift and retrains from the deployed model (see the file comment). */
export async function* watchForDrift(
  grid: Grid,
  deployed: DeployedModel,
  retrain: (runId: string, initialParameters: Float64Array) => AsyncIterable<RoundResult>,
  options: DriftWatchOptions,
): AsyncGenerator<DriftWatchEvent, void, undefined> {
  const { signal } = options;
  let model = deployed;
  let retrainings = 0;
  for (let check = 1; options.maxChecks === undefined || check <= options.maxChecks; check++) {
    if (!(await pause(options.checkEveryMs, signal))) return;
    const reports = await collectDriftReports(grid, { runId: options.runId, round: check, timeoutMs: options.timeoutMs, arrays: { ...model.scaling, parameters: model.parameters } });
    const decision = retrainingDecision(reports, options.policy);
    yield { type: 'drift-check', check, reports, decision };
    if (!decision.retrain || retrainings >= options.maxRetrainings) continue;
    const runId = `${options.runId}.retrain-${(options.firstRetraining ?? 1) + retrainings}`;
    retrainings++;
    yield { type: 'retraining-started', runId, drifting: decision.drifting };
    let last: RoundResult | undefined;
    for await (const result of retrain(runId, model.parameters)) {
      last = result;
      yield { type: 'retraining-round', result };
    }
    if (signal?.aborted) return;
    if (last !== undefined) model = { ...model, parameters: last.globalParameters };
    for await (const _ of grid.send(grid.plants(), { kind: 'drift-reset', runId, round: 0, config: {}, arrays: {} }, { timeoutMs: options.timeoutMs })) {
      // Acknowledgements only; a plant that misses the reset keeps reporting and is asked again.
    }
    yield { type: 'retraining-completed', runId };
  }
}

/** Waits `ms`; false when aborted first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
