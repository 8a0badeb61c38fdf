/**
 * A strategy decides what plants do in a round and how their answers become the next global model.
 * It is a few near-pure functions made by a factory (`fedAvg()`, `fedAdam({ … })`, `scaffold()`,
 * `krum({ … })`…): no IO, no clocks, no hidden state — everything it carries from round to round is
 * in `StrategyState` (flat vectors + JSON), which the round loop checkpoints, so a resumed run
 * continues exactly where it stopped. Wrappers (personalization, secure aggregation, DP) take a
 * strategy and return one.
 *
 * The round loop hands `aggregateFit` only validated fit replies (finite, right length), sorted by
 * plant id, so float sums do not depend on arrival order.
 *
 * @example
 * const strategy = fedAvg();
 * let state = strategy.initialState(parameters);
 * const out = strategy.aggregateFit({ round: 1, parameters, state, results });
 * parameters = out.parameters; state = out.state;
 */
import type { EvaluateConfig, FitConfig, FitReply, ReplyOk } from './messages.js';
import { poolRegressionSums, regressionMetrics, type ClassificationEvaluation, type RegressionMetrics, type RegressionSums } from './evaluation.js';

/** JSON data (what a store can write as text). */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Everything a strategy carries between rounds: named flat vectors and JSON. */
export interface StrategyState {
  readonly arrays: Readonly<Record<string, Float64Array>>;
  readonly json: { readonly [key: string]: Json };
}

/** The empty state of strategies that carry nothing. */
export const emptyState: StrategyState = Object.freeze({ arrays: Object.freeze({}), json: Object.freeze({}) });

export interface FitContext {
  readonly round: number;
  /** The plants selected for this round. */
  readonly plantIds: readonly string[];
  readonly parameters: Float64Array;
  readonly state: StrategyState;
}

/** What a strategy adds to the run's local-training config for a round. */
export interface FitPlan {
  /** Config for every plant's fit task (over the run's `training` config). */
  readonly config?: Partial<FitConfig>;
  /** Extra vectors sent to every plant (e.g. SCAFFOLD's server control). */
  readonly arrays?: Readonly<Record<string, Float64Array>>;
  /** Per-plant config (e.g. SCAFFOLD's `controlRound`). */
  readonly configFor?: (plantId: string) => Partial<FitConfig>;
}

export interface AggregateFitInput {
  readonly round: number;
  /** The global parameters the round started from. */
  readonly parameters: Float64Array;
  readonly state: StrategyState;
  /** Validated fit replies, sorted by plant id (at least the quorum). */
  readonly results: readonly FitReply[];
}

export interface AggregateFitOutcome {
  readonly parameters: Float64Array;
  readonly state: StrategyState;
  /** Scalars about the aggregation (e.g. plants Krum selected). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** One plant's evaluation metrics. */
export type PlantEvaluation = RegressionMetrics & { readonly numExamples: number } & Readonly<Record<string, number>>;

/** Evaluation of one round: per plant and pooled over all held-out data. */
export interface EvaluationSummary {
  /** Each plant's mse, rmse, mae, r2, numExamples, and whatever else it reported (e.g. globalMse under personalization). */
  readonly perPlant: Readonly<Record<string, PlantEvaluation>>;
  /** Pooled over plants (sample-weighted MSE/MAE, RMSE of the pooled MSE, R² against the global mean). */
  readonly weighted: RegressionMetrics;
  /** A classifier's confusion matrices, precision/recall/F1 and AUCs, per plant and pooled (classifier strategies only). */
  readonly classification?: ClassificationEvaluation;
}

export interface Strategy {
  /** Name recorded with checkpoints (a resumed run must use the same). */
  readonly name: string;
  initialState(parameters: Float64Array): StrategyState;
  configureFit(context: FitContext): FitPlan;
  aggregateFit(input: AggregateFitInput): AggregateFitOutcome;
  /** Config of the evaluate tasks (personalization sets fine-tuning here). */
  configureEvaluate(round: number): Partial<EvaluateConfig>;
  aggregateEvaluate(round: number, results: readonly ReplyOk[]): EvaluationSummary;
}

/** The default `aggregateEvaluate`: per-plant metrics and exact pooled metrics from the plants' sums. */
export function pooledEvaluation(_round: number, results: readonly ReplyOk[]): EvaluationSummary {
  const perPlant: Record<string, PlantEvaluation> = {};
  const sums: RegressionSums[] = [];
  for (const r of results) {
    const { sse, sae, sumY, sumYSq } = r.arrays;
    if (sse === undefined || sae === undefined || sumY === undefined || sumYSq === undefined) continue;
    perPlant[r.plantId] = { ...r.metrics, mse: r.metrics.mse, rmse: r.metrics.rmse, mae: r.metrics.mae, r2: r.metrics.r2, numExamples: r.numExamples };
    sums.push({ count: r.numExamples, sse, sae, sumY, sumYSq });
  }
  const weighted = sums.length === 0 ? { mse: Number.NaN, rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN } : regressionMetrics(poolRegressionSums(sums));
  return { perPlant, weighted };
}
