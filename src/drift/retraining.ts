/**
 * The coordinator side of drift: ask plants for their drift status (flags and scores, never data),
 * decide by a policy whether enough plants drift, and if so start a new federated run FROM THE
 * CURRENT MODEL (continual learning: the new run refines what the fleet already knows rather than
 * starting from scratch). After the run, plants are told to reset their monitors.
 *
 * @example
 * const reports = await collectDriftReports(grid, { runId: 'watch', round: 7, timeoutMs: 5000 });
 * const decision = retrainingDecision(reports, { minDriftingPlants: 2 });
 * if (decision.retrain) {
 *   const outcome = await retrainFromCurrent(grid, fedAvg(), { ...federationOptions, initialParameters: current });
 * }
 */
import type { Grid } from '../federation/grid.js';
import type { ArrayRecord, ReplyOk } from '../federation/messages.js';
import type { RoundResult } from '../federation/round-result.js';
import { runFederation, type FederationOptions } from '../federation/run.js';
import type { Strategy } from '../federation/strategy.js';

/** One plant's drift report, as the coordinator reads it from the reply. */
export interface DriftReport {
  readonly plantId: string;
  readonly drift: boolean;
  readonly score: number;
  readonly samples: number;
}

/**
 * Sends a `drift` task to every connected plant and reads the replies (failed plants are left out).
 * `arrays` travel with the task: the deployed model's `parameters` and scaling, for plants that
 * compute residuals themselves (`modelDriftHandlers`).
 */
export async function collectDriftReports(grid: Grid, options: { runId: string; round: number; timeoutMs: number; arrays?: ArrayRecord }): Promise<DriftReport[]> {
  const reports: DriftReport[] = [];
  for await (const reply of grid.send(grid.plants(), { kind: 'drift', runId: options.runId, round: options.round, config: {}, arrays: options.arrays ?? {} }, { timeoutMs: options.timeoutMs })) {
    if (!reply.ok) continue;
    reports.push(toReport(reply));
  }
  return reports.sort((a, b) => (a.plantId < b.plantId ? -1 : 1));
}

function toReport(reply: ReplyOk): DriftReport {
  const { drift, score } = reply.metrics;
  if (drift === undefined || score === undefined) throw new RangeError(`drift report of plant '${reply.plantId}' lacks 'drift' or 'score'`);
  return { plantId: reply.plantId, drift: drift === 1, score, samples: reply.numExamples };
}

/** When to retrain: at least `minDriftingPlants` drifting, and/or at least `minDriftingFraction` of reporting plants. */
export interface RetrainingPolicy {
  /** Default 1. */
  readonly minDriftingPlants?: number;
  /** Default 0. */
  readonly minDriftingFraction?: number;
}

export interface RetrainingDecision {
  readonly retrain: boolean;
  readonly drifting: readonly string[];
  readonly reason: string;
}

/** Applies the policy to the plants' reports. */
export function retrainingDecision(reports: readonly DriftReport[], policy: RetrainingPolicy = {}): RetrainingDecision {
  const minPlants = policy.minDriftingPlants ?? 1;
  const minFraction = policy.minDriftingFraction ?? 0;
  if (!Number.isInteger(minPlants) || minPlants < 1) throw new RangeError(`retrainingDecision: minDriftingPlants must be a positive integer, got ${minPlants}`);
  if (!(minFraction >= 0 && minFraction <= 1)) throw new RangeError(`retrainingDecision: minDriftingFraction must be in [0, 1], got ${minFraction}`);
  const drifting = reports.filter((r) => r.drift).map((r) => r.plantId);
  const fraction = reports.length === 0 ? 0 : drifting.length / reports.length;
  const retrain = drifting.length >= minPlants && fraction >= minFraction;
  return {
    retrain, drifting,
    reason: `${drifting.length} of ${reports.length} plants drift (need ≥ ${minPlants} and ≥ ${(100 * minFraction).toFixed(0)} %)`,
  };
}

/**
 * Runs a federated retraining from `options.initialParameters` (the current model) and then sends
 * `drift-reset` to every plant. Returns the rounds and the new parameters.
 */
export async function retrainFromCurrent(grid: Grid, strategy: Strategy, options: FederationOptions): Promise<{ rounds: RoundResult[]; parameters: Float64Array }> {
  const rounds: RoundResult[] = [];
  for await (const r of runFederation(grid, strategy, options)) rounds.push(r);
  const last = rounds.at(-1);
  if (last === undefined) throw new RangeError(`retrainFromCurrent '${options.runId}': the run yielded no round`);
  for await (const _ of grid.send(grid.plants(), { kind: 'drift-reset', runId: options.runId, round: options.rounds, config: {}, arrays: {} }, { timeoutMs: options.timeouts.evaluateMs })) {
    // Replies only acknowledge the reset; a plant that misses it keeps reporting and is asked again later.
  }
  return { rounds, parameters: last.globalParameters };
}
