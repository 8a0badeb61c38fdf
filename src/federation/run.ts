/**
 * The round loop, written once: an async generator of round results that the CLI, the dashboard and
 * tests all consume. Each round: wait for a quorum of plants ('waiting-for-plants' events), select
 * plants, send the global model and config, gather fit results under the straggler policy, let the
 * strategy aggregate, evaluate the new model on every connected plant's held-out data, checkpoint
 * atomically, yield.
 *
 * A plant that fails, drops, times out or sends an unusable update is dropped from the round (with a
 * named code in `RoundResult.dropped`); the round goes on with the others. Too few plants —
 * connected, or with usable fit results — throws `QUORUM_NOT_REACHED`.
 *
 * With a `store`, the loop resumes after the latest checkpoint of `runId`; since each round's
 * randomness comes from (seed, round), a resumed run ends with the same model as an uninterrupted one.
 *
 * @example
 * for await (const r of runFederation(grid, fedAvg(), {
 *   runId: 'run-1', rounds: 20, seed: 7, initialParameters: model.parameters.get(),
 *   training: { epochs: 1, batchSize: 32, learningRate: 0.05, optimizer: 'sgd' },
 *   minPlants: 2, timeouts: { waitForPlantsMs: 60_000, fitMs: 120_000, evaluateMs: 60_000 },
 * })) console.log(r.round, r.evaluation?.weighted.rmse);
 */
import { CrucibleError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { federatedScaling, type FeatureScaling } from './feature-scaling.js';
import { checkFitReply } from './fit-validation.js';
import type { Grid } from './grid.js';
import type { EvaluateTask, FitReply, FitTask, LocalTrainingConfig } from './messages.js';
import type { Checkpoint, RoundStore } from './round-store.js';
import type { DroppedPlant, FederationEvent, RoundResult } from './round-result.js';
import { roundSeed } from './seeds.js';
import { runStage, type StageOptions, type StageOutcome, type StragglerPolicy } from './stage.js';
import type { AggregateFitOutcome, EvaluationSummary, Strategy, StrategyState } from './strategy.js';
import type { Summation } from './summation.js';

export interface FederationTimeouts {
  /** How long a round waits for `minPlants` to be connected. */
  readonly waitForPlantsMs: number;
  /** Per-plant deadline of the fit stage. */
  readonly fitMs: number;
  /** Per-plant deadline of the evaluate stage (and of the feature statistics). */
  readonly evaluateMs: number;
}

/** Replaces how fit results are gathered (secure aggregation: set-up, masked uploads, unmasking). */
export type FitCollector = (input: {
  readonly grid: Grid;
  readonly plantIds: readonly string[];
  readonly task: (plantId: string) => FitTask;
  readonly options: StageOptions;
}) => Promise<StageOutcome>;

export interface FederationOptions {
  readonly runId: string;
  /** Total rounds of the run (a resumed run continues up to this). */
  readonly rounds: number;
  /** Seed of all the run's randomness. */
  readonly seed: number;
  readonly initialParameters: Float64Array;
  /** Local training of every fit task (strategies add their own settings). */
  readonly training: LocalTrainingConfig;
  /** Quorum: the fewest plants connected to start a round and with usable fit results to finish it. */
  readonly minPlants: number;
  readonly timeouts: FederationTimeouts;
  /** Default `{ kind: 'wait-for-all' }`. */
  readonly straggler?: StragglerPolicy;
  /** Plants sampled per round (from the connected ones, seeded by (seed, round)). Default: all. */
  readonly plantsPerRound?: number;
  /** Evaluate every n-th round and the last. Default 1; 0 = never. */
  readonly evaluateEvery?: number;
  /** Compute a federated feature scaling before round 1 and send it with every task. Default false. */
  readonly featureScaling?: boolean;
  /** A scaling to use from round 1 instead of computing one (a retraining run keeps its starting model's). */
  readonly initialScaling?: FeatureScaling;
  /** The summation behind feature scaling. Default plain (replace with secure aggregation's). */
  readonly summation?: Summation;
  /** Default: send fit tasks and gather the replies under the straggler policy. */
  readonly collectFit?: FitCollector;
  readonly store?: RoundStore;
  readonly onEvent?: (event: FederationEvent) => void;
  /** Aborting stops the run after the current stage; completed rounds stay checkpointed. */
  readonly signal?: AbortSignal;
}

/** Runs federated rounds on `grid` with `strategy`, yielding each completed round. */
export async function* runFederation(grid: Grid, strategy: Strategy, options: FederationOptions): AsyncGenerator<RoundResult, void, undefined> {
  checkOptions(options);
  const { runId, signal } = options;
  const emit = options.onEvent ?? (() => {});

  const resumed = await options.store?.loadLatest(runId);
  let parameters: Float64Array;
  let state: StrategyState;
  let scaling: FeatureScaling | undefined;
  let firstRound = 1;
  if (resumed !== undefined) {
    checkCheckpoint(resumed, strategy, options);
    ({ parameters, strategyState: state, scaling } = resumed);
    firstRound = resumed.round + 1;
    emit({ type: 'resumed', runId, fromRound: firstRound });
  } else {
    parameters = options.initialParameters.slice();
    state = strategy.initialState(parameters);
    scaling = options.initialScaling;
  }

  for (let round = firstRound; round <= options.rounds; round++) {
    if (signal?.aborted) return;
    const started = performance.now();
    const available = await waitForQuorum(grid, round, options, emit);
    if (signal?.aborted) return;
    if (options.featureScaling && scaling === undefined) {
      const out = await federatedScaling(grid, available, { runId, timeoutMs: options.timeouts.evaluateMs, summation: options.summation, minPlants: options.minPlants, signal });
      scaling = out.scaling;
      emit({ type: 'scaling-computed', plants: out.contributors.length, examples: out.examples });
    }
    const selected = selectPlants(available, round, options);
    emit({ type: 'round-started', round, selected });

    const fit = await fitRound(grid, strategy, { round, selected, parameters, state, scaling }, options);
    if (fit === undefined) return; // aborted
    ({ parameters, state } = fit.aggregated);

    const dropped: DroppedPlant[] = [...fit.dropped];
    let evaluation: RoundResult['evaluation'];
    const every = options.evaluateEvery ?? 1;
    if (every > 0 && (round % every === 0 || round === options.rounds)) {
      const ev = await evaluateRound(grid, strategy, { round, parameters, scaling }, options);
      if (ev === undefined) return; // aborted
      dropped.push(...ev.dropped);
      evaluation = ev.evaluation;
    }
    const results = fit.results;
    const result: RoundResult = {
      runId, round, selected,
      participants: results.map((r) => r.plantId),
      dropped,
      fit: { perPlant: Object.fromEntries(results.map((r) => [r.plantId, { ...r.metrics, numExamples: r.numExamples }])), aggregated: { ...fitSummary(results), ...fit.aggregated.metrics } },
      evaluation,
      durationMs: performance.now() - started,
      globalParameters: parameters,
    };
    const checkpoint: Checkpoint = { runId, round, strategy: strategy.name, parameters, strategyState: state, scaling };
    await options.store?.saveRound(checkpoint, result);
    yield result;
  }
}

interface RoundStart {
  readonly round: number;
  readonly selected: readonly string[];
  readonly parameters: Float64Array;
  readonly state: StrategyState;
  readonly scaling: FeatureScaling | undefined;
}

/** The fit stage and aggregation of one round; undefined if the run was aborted meanwhile. */
async function fitRound(
  grid: Grid,
  strategy: Strategy,
  start: RoundStart,
  options: FederationOptions,
): Promise<{ results: FitReply[]; dropped: DroppedPlant[]; aggregated: AggregateFitOutcome } | undefined> {
  const { round, selected, parameters, state, scaling } = start;
  const plan = strategy.configureFit({ round, plantIds: selected, parameters, state });
  const task = (plantId: string): FitTask => ({
    kind: 'fit', runId: options.runId, round,
    config: { ...options.training, ...plan.config, ...plan.configFor?.(plantId), seed: roundSeed(options.seed, round, `fit/${plantId}`) },
    arrays: { ...scaling, ...plan.arrays, parameters },
  });
  const needsControlDelta = plan.config?.scaffold === true;
  const collect: FitCollector = options.collectFit ?? ((i) => runStage(i.grid, i.plantIds, i.task, i.options));
  const fit = await collect({
    grid, plantIds: selected, task,
    options: {
      stage: 'fit', round, timeoutMs: options.timeouts.fitMs, minPlants: options.minPlants,
      straggler: options.straggler ?? { kind: 'wait-for-all' }, onEvent: options.onEvent, signal: options.signal,
      check: (reply) => checkFitReply(reply, { parameterCount: parameters.length, needsControlDelta }),
    },
  });
  if (options.signal?.aborted) return undefined;
  if (fit.accepted.length < options.minPlants) {
    throw new CrucibleError('QUORUM_NOT_REACHED', `round ${round}: ${fit.accepted.length} of ${options.minPlants} required plants returned a usable fit result within ${options.timeouts.fitMs} ms`, {
      round, dropped: fit.dropped.map((d) => ({ plantId: d.plantId, code: d.code })),
    });
  }
  const results = fit.accepted as FitReply[];
  return { results, dropped: fit.dropped, aggregated: strategy.aggregateFit({ round, parameters, state, results }) };
}

/** Federated evaluation of the new global model on every connected plant; undefined if aborted. */
async function evaluateRound(
  grid: Grid,
  strategy: Strategy,
  at: { readonly round: number; readonly parameters: Float64Array; readonly scaling: FeatureScaling | undefined },
  options: FederationOptions,
): Promise<{ evaluation: EvaluationSummary; dropped: DroppedPlant[] } | undefined> {
  const { round, parameters, scaling } = at;
  const config = strategy.configureEvaluate(round);
  const task = (plantId: string): EvaluateTask => ({
    kind: 'evaluate', runId: options.runId, round,
    config: { ...config, seed: roundSeed(options.seed, round, `evaluate/${plantId}`) },
    arrays: { ...scaling, parameters },
  });
  const ev = await runStage(grid, grid.plants(), task, {
    stage: 'evaluate', round, timeoutMs: options.timeouts.evaluateMs, minPlants: 1,
    straggler: options.straggler ?? { kind: 'wait-for-all' }, onEvent: options.onEvent, signal: options.signal,
  });
  if (options.signal?.aborted) return undefined;
  return { evaluation: strategy.aggregateEvaluate(round, ev.accepted), dropped: ev.dropped };
}

async function waitForQuorum(grid: Grid, round: number, options: FederationOptions, emit: (e: FederationEvent) => void): Promise<readonly string[]> {
  const required = options.minPlants;
  if (grid.plants().length >= required) return grid.plants();
  emit({ type: 'waiting-for-plants', round, connected: grid.plants().length, required });
  const off = grid.onEvent((e) => {
    if (e.type === 'plant-connected' || e.type === 'plant-disconnected') emit({ type: 'waiting-for-plants', round, connected: grid.plants().length, required });
  });
  try {
    const plants = await grid.waitForPlants(required, { timeoutMs: options.timeouts.waitForPlantsMs, signal: options.signal });
    if (plants.length < required && !options.signal?.aborted) {
      throw new CrucibleError('QUORUM_NOT_REACHED', `round ${round}: ${plants.length} of ${required} required plants connected within ${options.timeouts.waitForPlantsMs} ms`, {
        round, connected: [...plants],
      });
    }
    return plants;
  } finally {
    off();
  }
}

function selectPlants(available: readonly string[], round: number, options: FederationOptions): string[] {
  const k = options.plantsPerRound;
  const sorted = [...available].sort();
  if (k === undefined || k >= sorted.length) return sorted;
  const order = new Rng(roundSeed(options.seed, round, 'select')).permutation(sorted.length);
  return Array.from(order.subarray(0, Math.max(k, options.minPlants)), (i) => sorted[i]).sort();
}

function fitSummary(results: readonly FitReply[]): Record<string, number> {
  let n = 0;
  let loss = 0;
  for (const r of results) {
    n += r.numExamples;
    loss += r.numExamples * (r.metrics.trainLoss ?? Number.NaN);
  }
  return { numExamples: n, trainLoss: loss / n };
}

function checkOptions(o: FederationOptions): void {
  const where = `runFederation '${o.runId}'`;
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new RangeError(`${where}: rounds must be a positive integer, got ${o.rounds}`);
  if (!Number.isInteger(o.minPlants) || o.minPlants < 1) throw new RangeError(`${where}: minPlants must be a positive integer, got ${o.minPlants}`);
  if (o.plantsPerRound !== undefined && (!Number.isInteger(o.plantsPerRound) || o.plantsPerRound < o.minPlants)) {
    throw new RangeError(`${where}: plantsPerRound must be an integer ≥ minPlants (${o.minPlants}), got ${o.plantsPerRound}`);
  }
  const t = o.training;
  if (!Number.isInteger(t.epochs) || t.epochs < 1) throw new RangeError(`${where}: training.epochs must be a positive integer, got ${t.epochs}`);
  if (!Number.isInteger(t.batchSize) || t.batchSize < 1) throw new RangeError(`${where}: training.batchSize must be a positive integer, got ${t.batchSize}`);
  if (!(t.learningRate > 0 && Number.isFinite(t.learningRate))) throw new RangeError(`${where}: training.learningRate must be a positive number, got ${t.learningRate}`);
  if (t.optimizer !== 'sgd' && t.optimizer !== 'adam') throw new RangeError(`${where}: training.optimizer must be 'sgd' or 'adam', got '${String(t.optimizer)}'`);
  for (const [k, v] of Object.entries(o.timeouts)) {
    if (!(v > 0)) throw new RangeError(`${where}: timeouts.${k} must be positive, got ${v}`);
  }
  for (let i = 0; i < o.initialParameters.length; i++) {
    if (!Number.isFinite(o.initialParameters[i])) throw new RangeError(`${where}: initialParameters[${i}] is ${o.initialParameters[i]}`);
  }
}

function checkCheckpoint(c: Checkpoint, strategy: Strategy, o: FederationOptions): void {
  if (c.strategy !== strategy.name) {
    throw new CrucibleError('CHECKPOINT_MISMATCH', `run '${o.runId}' was checkpointed with strategy '${c.strategy}', resumed with '${strategy.name}'`, { runId: o.runId });
  }
  if (c.parameters.length !== o.initialParameters.length) {
    throw new CrucibleError('CHECKPOINT_MISMATCH', `run '${o.runId}': checkpoint of round ${c.round} has ${c.parameters.length} parameters, the model has ${o.initialParameters.length}`, { runId: o.runId });
  }
}
