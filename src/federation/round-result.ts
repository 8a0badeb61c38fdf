/**
 * What the round loop yields after each completed round, and the events it reports while it works
 * (waiting for plants, plants dropped, replies rejected). The CLI, the dashboard, the store and tests
 * consume these.
 *
 * @example
 * for await (const r of runFederation(grid, fedAvg(), options)) {
 *   console.log(`round ${r.round}: rmse ${r.evaluation?.weighted.rmse}, dropped ${r.dropped.length}`);
 * }
 */
import type { ErrorCode } from '../errors.js';
import type { EvaluationSummary } from './strategy.js';

/** A plant that did not contribute to a stage of a round, and why. */
export interface DroppedPlant {
  readonly plantId: string;
  readonly stage: 'fit' | 'evaluate';
  readonly code: ErrorCode;
  readonly message: string;
}

export interface RoundResult {
  readonly runId: string;
  readonly round: number;
  /** Plants sent the fit task. */
  readonly selected: readonly string[];
  /** Plants whose fit results were aggregated (sorted). */
  readonly participants: readonly string[];
  /** Plants that failed, timed out, dropped or were rejected, per stage. */
  readonly dropped: readonly DroppedPlant[];
  /** Fit metrics per participant (trainLoss, localSteps, numExamples) and the strategy's own. */
  readonly fit: {
    readonly perPlant: Readonly<Record<string, Readonly<Record<string, number>>>>;
    /** Sample-weighted trainLoss, total examples, and what the strategy reported. */
    readonly aggregated: Readonly<Record<string, number>>;
  };
  /** Federated evaluation of the new global model (absent in rounds without evaluation). */
  readonly evaluation?: EvaluationSummary;
  readonly durationMs: number;
  /** The new global parameters. */
  readonly globalParameters: Float64Array;
}

/** What the loop reports as it goes (through `onEvent`). */
export type FederationEvent =
  | { readonly type: 'waiting-for-plants'; readonly round: number; readonly connected: number; readonly required: number }
  | { readonly type: 'resumed'; readonly runId: string; readonly fromRound: number }
  | { readonly type: 'scaling-computed'; readonly plants: number; readonly examples: number }
  | { readonly type: 'round-started'; readonly round: number; readonly selected: readonly string[] }
  | { readonly type: 'plant-dropped'; readonly round: number; readonly plant: DroppedPlant }
  | { readonly type: 'stragglers-abandoned'; readonly round: number; readonly stage: 'fit' | 'evaluate'; readonly plantIds: readonly string[] };
