/**
 * The plant side of federation: a plant holds its data, answers tasks from the coordinator, and
 * only updates, evaluation sums and feature sums ever leave it — never rows of data.
 *
 * A plant is a pipeline `PlantHandler = (task) => Promise<PlantReply>`. Middleware wraps it
 * (`PlantMiddleware = (next, plant) => PlantHandler`, like Flower's mods): differential privacy clips
 * and noises the `update` of a fit reply, secure aggregation masks fit and statistics replies, both
 * without the core knowing. Middleware listed first is outermost.
 *
 * Failures are data: a task the plant cannot do yields `{ ok: false, failure }`, never a throw.
 *
 * @example
 * const plant = createPlant({
 *   plantId: 'plant-a', data: { x, y }, model: () => new Mlp({ widths: [4, 16, 1], seed: 1 }),
 *   middleware: [clipUpdates({ clipNormL2: 1 })],
 * });
 * const reply = await plant.handle(fitTask);
 */
import { Rng } from '../tensor/rng.js';
import { gatherRows } from '../tensor/ops/slice.js';
import { predict } from '../nn/fit.js';
import { Tensor } from '../tensor/tensor.js';
import type { Model } from '../nn/mlp.js';
import { isCrucibleError } from '../errors.js';
import { regressionMetrics, regressionSums } from './evaluation.js';
import { trainLocally } from './local-training.js';
import {
  failureReply,
  type ArrayRecord,
  type EvaluateConfig,
  type FitConfig,
  type PlantReply,
  type ReplyOk,
  type ScalingArrays,
  type TaskMessage,
} from './messages.js';

/** Answers one task. The unit that middleware wraps. */
export type PlantHandler = (task: TaskMessage) => Promise<PlantReply>;

/** What middleware may know about the plant it wraps. */
export interface PlantInfo {
  readonly plantId: string;
  /** Training examples (what a fit reply reports as numExamples). */
  readonly numTrainExamples: number;
}

/** Wraps a plant's handler, e.g. to clip and noise updates (DP) or mask them (secure aggregation). */
export type PlantMiddleware = (next: PlantHandler, plant: PlantInfo) => PlantHandler;

/** Rows of inputs x and targets y (same number of rows). */
export interface PlantData {
  readonly x: Tensor;
  readonly y: Tensor;
}

export interface PlantOptions {
  readonly plantId: string;
  /** The plant's data; split into training and held-out rows unless `validation` is given. */
  readonly data: PlantData;
  /** An explicit held-out set (then all of `data` is for training). */
  readonly validation?: PlantData;
  /** Held-out share of `data` when `validation` is absent. Default 0.2. */
  readonly validationFraction?: number;
  /** Seed of the train/validation split. Default 0. */
  readonly splitSeed?: number;
  /**
   * Builds a model of the federation's architecture. Called once, on the first task that needs a
   * model; every task then overwrites all of its parameters with the task's own before using it.
   */
  readonly model: () => Model;
  /** Wrappers of the pipeline, outermost first. */
  readonly middleware?: readonly PlantMiddleware[];
  /** Handlers of further task kinds (e.g. secure-aggregation set-up), by kind. */
  readonly handlers?: Readonly<Record<string, PlantHandler>>;
}

/** A plant: its id, its handler, and what it knows of itself. */
export interface Plant extends PlantInfo {
  readonly handle: PlantHandler;
}

/** Builds a plant from its data, model factory and middleware. */
export function createPlant(options: PlantOptions): Plant {
  const { plantId } = options;
  const { train, validation } = splitData(options);
  const info: PlantInfo = { plantId, numTrainExamples: train.x.rows };
  // SCAFFOLD client controls c_i by the round that produced them, so that a task names which one to
  // build on (`controlRound`): a re-sent round after a coordinator restart gives the same result.
  const controls = new Map<number, Float64Array>();
  // One model for all tasks: building one re-draws its initial weights (100k normals for a
  // 100k-parameter model), which a task overwrites at once. Tasks run one at a time (synchronously).
  let built: Model | undefined;
  const model = (): Model => (built ??= options.model());

  const core: PlantHandler = async (task) => {
    try {
      switch (task.kind) {
        case 'fit':
          return fit(task, model(), train, controls, plantId);
        case 'evaluate':
          return evaluate(task, model(), train, validation, plantId);
        case 'statistics':
          return statistics(task, train, plantId);
        default: {
          const extra = options.handlers?.[task.kind];
          if (extra !== undefined) return extra(task);
          return failureReply(task, plantId, { code: 'PLANT_TASK_FAILED', message: `plant '${plantId}' does not handle tasks of kind '${task.kind}'` });
        }
      }
    } catch (e) {
      const code = isCrucibleError(e) ? e.code : 'PLANT_TASK_FAILED';
      return failureReply(task, plantId, { code, message: `plant '${plantId}', ${task.kind} of round ${task.round}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  const handle = [...(options.middleware ?? [])].reverse().reduce<PlantHandler>((next, mw) => mw(next, info), core);
  return { ...info, handle };
}

function splitData(options: PlantOptions): { train: PlantData; validation: PlantData } {
  const { x, y } = options.data;
  if (x.rows !== y.rows) throw new RangeError(`createPlant '${options.plantId}': x has ${x.rows} rows but y has ${y.rows}`);
  if (options.validation !== undefined) return { train: options.data, validation: options.validation };
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`createPlant '${options.plantId}': validationFraction must be in [0, 1), got ${fraction}`);
  const order = new Rng(options.splitSeed ?? 0).permutation(x.rows);
  const nVal = Math.round(fraction * x.rows);
  const valIdx = order.subarray(0, nVal);
  const trainIdx = order.subarray(nVal);
  if (trainIdx.length === 0) throw new RangeError(`createPlant '${options.plantId}': no training rows left after the validation split`);
  return {
    train: { x: gatherRows(x, trainIdx).detach(), y: gatherRows(y, trainIdx).detach() },
    validation: { x: gatherRows(x, valIdx).detach(), y: gatherRows(y, valIdx).detach() },
  };
}

function fit(task: TaskMessage, model: Model, train: PlantData, controls: Map<number, Float64Array>, plantId: string): ReplyOk {
  const config = task.config as FitConfig;
  if (config.scaffold && config.optimizer !== 'sgd') {
    throw new RangeError(`SCAFFOLD needs local SGD (its control-variate update assumes plain steps), the task asks for '${config.optimizer}'`);
  }
  const global = requireParameters(task, model);
  const { x, y } = scaled(train, task.arrays);
  model.parameters.set(global);
  const mu = config.proximalMu ?? 0;
  const serverControl = config.scaffold ? requireArray(task, 'serverControl', global.length) : undefined;
  const controlRound = config.controlRound ?? 0;
  const clientControl = controls.get(controlRound) ?? new Float64Array(global.length);

  const outcome = trainLocally(model, x, y, config, {
    seed: config.seed,
    onGradient: ({ grads: g, values: w }) => {
      // FedProx (Li et al., MLSys 2020): gradient of μ/2·‖w − w_global‖².
      if (mu > 0) for (let i = 0; i < g.length; i++) g[i] += mu * (w[i] - global[i]);
      // SCAFFOLD (Karimireddy et al., ICML 2020): y ← y − η(g_i(y) − c_i + c).
      if (serverControl !== undefined) for (let i = 0; i < g.length; i++) g[i] += serverControl[i] - clientControl[i];
    },
  });

  const local = model.parameters.values;
  const update = new Float64Array(global.length);
  for (let i = 0; i < update.length; i++) update[i] = local[i] - global[i];
  const arrays: Record<string, Float64Array> = { update };
  if (serverControl !== undefined) {
    // Option II of SCAFFOLD: c_i⁺ = c_i − c + (x − y)/(K η).
    const scale = 1 / (Math.max(1, outcome.steps) * config.learningRate);
    const next = new Float64Array(global.length);
    const delta = new Float64Array(global.length);
    for (let i = 0; i < next.length; i++) {
      next[i] = clientControl[i] - serverControl[i] - update[i] * scale;
      delta[i] = next[i] - clientControl[i];
    }
    controls.set(task.round, next);
    for (const r of [...controls.keys()]) if (r < controlRound) controls.delete(r);
    arrays.controlDelta = delta;
  }
  return {
    ok: true, kind: 'fit', runId: task.runId, round: task.round, plantId,
    numExamples: train.x.rows,
    metrics: { trainLoss: outcome.lastEpochLoss, localSteps: outcome.steps },
    arrays,
  };
}

function evaluate(task: TaskMessage, model: Model, train: PlantData, validation: PlantData, plantId: string): ReplyOk {
  const config = task.config as EvaluateConfig;
  model.parameters.set(requireParameters(task, model));
  const scaledVal = scaled(validation, task.arrays);
  const steps = config.fineTuneSteps ?? 0;
  let before: Record<string, number> = {};
  if (steps > 0) {
    // Also report the global model's own metrics, so the gain of personalization is visible.
    const m = regressionMetrics(regressionSums(unscaleTargets(predict(model, scaledVal.x), task.arrays), validation.y));
    before = { globalMse: m.mse, globalRmse: m.rmse, globalMae: m.mae, globalR2: m.r2 };
    // Personalization: k local steps from the global model before evaluating.
    const { x, y } = scaled(train, task.arrays);
    const lr = config.fineTuneLearningRate;
    if (lr === undefined) throw new RangeError('evaluate: fineTuneSteps > 0 needs fineTuneLearningRate');
    trainLocally(model, x, y, { epochs: Number.MAX_SAFE_INTEGER, maxSteps: steps, batchSize: config.batchSize ?? 32, learningRate: lr, optimizer: 'sgd' }, { seed: config.seed ?? 0 });
  }
  const predicted = predict(model, scaledVal.x);
  const inTargetUnits = unscaleTargets(predicted, task.arrays);
  const sums = regressionSums(inTargetUnits, validation.y);
  const m = regressionMetrics(sums);
  return {
    ok: true, kind: 'evaluate', runId: task.runId, round: task.round, plantId,
    numExamples: validation.x.rows,
    metrics: { ...m, ...before },
    arrays: { sse: sums.sse, sae: sums.sae, sumY: sums.sumY, sumYSq: sums.sumYSq },
  };
}

function statistics(task: TaskMessage, train: PlantData, plantId: string): ReplyOk {
  const [featureSum, featureSumSq] = columnSums(train.x);
  const [targetSum, targetSumSq] = columnSums(train.y);
  return {
    ok: true, kind: 'statistics', runId: task.runId, round: task.round, plantId,
    numExamples: train.x.rows,
    metrics: {},
    arrays: { featureSum, featureSumSq, targetSum, targetSumSq },
  };
}

function columnSums(t: Tensor): [Float64Array, Float64Array] {
  const s = new Float64Array(t.cols);
  const sq = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = t.data[i * t.cols + j];
      s[j] += v;
      sq[j] += v * v;
    }
  }
  return [s, sq];
}

function requireParameters(task: TaskMessage, model: Model): Float64Array {
  return requireArray(task, 'parameters', model.parameters.count);
}

function requireArray(task: TaskMessage, name: string, length: number): Float64Array {
  const a = task.arrays[name];
  if (a === undefined) throw new RangeError(`${task.kind} task of round ${task.round} carries no '${name}' vector`);
  if (a.length !== length) throw new RangeError(`${task.kind} task of round ${task.round}: '${name}' has ${a.length} values, the plant's model has ${length}`);
  return a;
}

/** Standardises x (and y) with the global scaling sent in the task, if any. */
function scaled(data: PlantData, arrays: ArrayRecord & ScalingArrays): PlantData {
  return {
    x: standardise(data.x, arrays.featureMean, arrays.featureStd, 'feature'),
    y: standardise(data.y, arrays.targetMean, arrays.targetStd, 'target'),
  };
}

function standardise(t: Tensor, mean: Float64Array | undefined, std: Float64Array | undefined, what: string): Tensor {
  if (mean === undefined || std === undefined) return t;
  if (mean.length !== t.cols || std.length !== t.cols) {
    throw new RangeError(`${what} scaling has ${mean.length} means and ${std.length} deviations for ${t.cols} columns`);
  }
  const out = new Tensor(t.rows, t.cols);
  for (let i = 0; i < t.data.length; i++) out.data[i] = (t.data[i] - mean[i % t.cols]) / std[i % t.cols];
  return out;
}

function unscaleTargets(t: Tensor, arrays: ScalingArrays): Tensor {
  const { targetMean: mean, targetStd: std } = arrays;
  if (mean === undefined || std === undefined) return t;
  const out = new Tensor(t.rows, t.cols);
  for (let i = 0; i < t.data.length; i++) out.data[i] = t.data[i] * std[i % t.cols] + mean[i % t.cols];
  return out;
}
