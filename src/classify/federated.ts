/**
 * Federated classifiers. Training goes through the core plant: its `trainLocally` sees a
 * `Classifier` model and uses (class-weighted) cross-entropy, so FedProx, SCAFFOLD, `maxSteps`, DP
 * and secure aggregation work unchanged. What differs is around it:
 *
 * - plant side, `classifierTasks` middleware (added by `classifierPlantOptions`, which also makes a
 *   split stratified by class): fit tasks pass to the core with the target scaling removed (labels
 *   are not standardised); `evaluate` is answered with the plant's held-out confusion matrix and
 *   per-class score histograms (sufficient statistics: counts, never rows) plus per-plant
 *   accuracy/F1/precision/recall/AUC; `class-counts` with its training class counts;
 * - coordinator side, `classifierStrategy(inner, { classes, classWeights })`: sends the class
 *   weights with every fit task (in the config, kept in the strategy state so a resumed run uses
 *   the same), and pools evaluations into `EvaluationSummary.classification` — exact pooled
 *   confusion metrics, and the AUC of the pooled binned scores. `collectClassCounts` sums the
 *   plants' class counts (through a `Summation`: secure aggregation's hides each plant's) for
 *   `balancedClassWeights`.
 *
 * @example
 * const plant = createPlant(classifierPlantOptions({ plantId, data: { x, y: labels }, model }, { classes: 3 }));
 * const counts = await collectClassCounts(grid, { runId, classes: 3, timeoutMs: 5000 });
 * runFederation(grid, classifierStrategy(fedAvg(), { classes: 3, classWeights: balancedClassWeights(counts) }), options);
 */
import { CrucibleError } from '../errors.js';
import { predict } from '../nn/fit.js';
import type { Model } from '../nn/mlp.js';
import { standardisedFeatures, type ClassificationEvaluation, type ClassificationReport } from '../federation/evaluation.js';
import type { Grid } from '../federation/grid.js';
import { trainLocally } from '../federation/local-training.js';
import { failureReply, type EvaluateConfig, type PlantReply, type ReplyOk, type ScalingArrays, type TaskMessage } from '../federation/messages.js';
import type { PlantData, PlantMiddleware } from '../federation/plant.js';
import type { Strategy } from '../federation/strategy.js';
import { plainSummation, type Summation } from '../federation/summation.js';
import { Tensor } from '../tensor/tensor.js';
import { balancedClassWeights } from './losses.js';
import {
  aucFromHistograms, classificationMetrics, confusionMatrix, poolConfusion, poolHistograms, rocAuc, scoreHistogram,
  type ConfusionMatrix, type ScoreHistogram,
} from './metrics.js';

export interface ClassifierTasksOptions {
  /** The classifier: 1 logit for 2 classes, else one logit per class. */
  readonly model: () => Model;
  /** Training rows; y holds class indices [n, 1]. */
  readonly train: PlantData;
  readonly validation: PlantData;
  readonly classes: number;
  /** Score-histogram bins for pooled AUC. Default 1000. */
  readonly bins?: number;
}

/** Class probabilities [n, K] from the model's logits (sigmoid for one logit, softmax otherwise). */
export function classProbabilities(logits: Tensor, classes: number): Tensor {
  const out = new Tensor(logits.rows, classes);
  for (let i = 0; i < logits.rows; i++) {
    if (classes === 2 && logits.cols === 1) {
      const p = 1 / (1 + Math.exp(-logits.data[i]));
      out.data.set([1 - p, p], i * 2);
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < classes; k++) m = Math.max(m, logits.get(i, k));
    let s = 0;
    for (let k = 0; k < classes; k++) s += Math.exp(logits.get(i, k) - m);
    for (let k = 0; k < classes; k++) out.data[i * classes + k] = Math.exp(logits.get(i, k) - m) / s;
  }
  return out;
}

/** Plant middleware of a classifier plant: `fit` to the core without target scaling; `evaluate` and `class-counts` answered here. */
export function classifierTasks(options: ClassifierTasksOptions): PlantMiddleware {
  const { classes } = options;
  const bins = options.bins ?? 1000;
  return (next, plant) => async (task): Promise<PlantReply> => {
    const header = { kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId };
    try {
      if (task.kind === 'fit') return next({ ...task, arrays: { ...task.arrays, targetMean: undefined, targetStd: undefined } });
      if (task.kind === 'class-counts') {
        const counts = new Float64Array(classes);
        for (const c of options.train.y.data) counts[c]++;
        return { ok: true, ...header, numExamples: options.train.x.rows, metrics: {}, arrays: { classCounts: counts } };
      }
      if (task.kind !== 'evaluate') return next(task);
      const model = options.model();
      const global = task.arrays.parameters;
      if (global === undefined || global.length !== model.parameters.count) {
        throw new RangeError(`evaluate task carries ${global?.length ?? 'no'} parameters, the classifier has ${model.parameters.count}`);
      }
      model.parameters.set(global);
      const config = task.config as EvaluateConfig;
      if ((config.fineTuneSteps ?? 0) > 0) {
        // Personalization: k local steps from the global model before evaluating.
        if (config.fineTuneLearningRate === undefined) throw new RangeError('evaluate: fineTuneSteps > 0 needs fineTuneLearningRate');
        trainLocally(model, standardisedFeatures(options.train.x, task.arrays), options.train.y, {
          epochs: Number.MAX_SAFE_INTEGER, maxSteps: config.fineTuneSteps, batchSize: config.batchSize ?? 32, learningRate: config.fineTuneLearningRate, optimizer: 'sgd',
        }, { seed: config.seed ?? 0 });
      }
      return { ok: true, ...header, ...evaluation(model, standardisedFeatures(options.validation.x, task.arrays), options.validation.y.data, classes, bins) };
    } catch (e) {
      return failureReply(task, plant.plantId, { code: 'PLANT_TASK_FAILED', message: `plant '${plant.plantId}', ${task.kind} of round ${task.round}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
}

/** A classifier's evaluate reply body: counts as arrays, per-plant metrics as scalars. */
function evaluation(model: Model, x: Tensor, labels: Float64Array, classes: number, bins: number): Pick<ReplyOk, 'numExamples' | 'metrics' | 'arrays'> {
  const probabilities = classProbabilities(predict(model, x), classes);
  const predicted = Array.from({ length: labels.length }, (_, i) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities.get(i, k) > probabilities.get(i, best)) best = k;
    return best;
  });
  const cm = confusionMatrix(predicted, labels, classes);
  const m = classificationMetrics(cm);
  const metrics: Record<string, number> = { accuracy: m.accuracy, macroF1: m.macroF1 };
  const arrays: Record<string, Float64Array> = { confusion: cm.counts };
  for (let k = 1; k < classes; k++) {
    const scores = Array.from({ length: labels.length }, (_, i) => probabilities.get(i, k));
    const isK = Array.from(labels, (l) => (l === k ? 1 : 0));
    const h = scoreHistogram(scores, isK, { bins });
    arrays[`scorePositive${k}`] = h.positive;
    arrays[`scoreNegative${k}`] = h.negative;
    metrics[`precision${k}`] = m.perClass[k].precision;
    metrics[`recall${k}`] = m.perClass[k].recall;
    metrics[`f1_${k}`] = m.perClass[k].f1;
    metrics[`auc${k}`] = rocAuc(scores, isK);
  }
  return { numExamples: labels.length, metrics, arrays };
}

/** Per-plant and pooled classification metrics from evaluate replies of `classifierTasks` plants. */
export function classificationSummary(replies: readonly ReplyOk[], classes: number): ClassificationEvaluation {
  const perPlant: Record<string, ClassificationReport> = {};
  const confusions: ConfusionMatrix[] = [];
  const histograms: ScoreHistogram[][] = Array.from({ length: classes - 1 }, () => []);
  for (const r of replies) {
    const counts = r.arrays.confusion;
    if (counts === undefined || counts.length !== classes * classes) continue;
    const cm = { classes, counts };
    confusions.push(cm);
    const auc: number[] = [];
    for (let k = 1; k < classes; k++) {
      const positive = r.arrays[`scorePositive${k}`];
      const negative = r.arrays[`scoreNegative${k}`];
      if (positive === undefined || negative === undefined) throw new RangeError(`classificationSummary: plant '${r.plantId}' sent no score histogram for class ${k}`);
      histograms[k - 1].push({ lo: 0, hi: 1, positive, negative });
      auc.push(r.metrics[`auc${k}`] ?? aucFromHistograms({ lo: 0, hi: 1, positive, negative }));
    }
    perPlant[r.plantId] = report(cm, auc);
  }
  if (confusions.length === 0) throw new RangeError('classificationSummary: no classifier evaluation among the replies');
  return { classes, perPlant, pooled: report(poolConfusion(confusions), histograms.map((h) => aucFromHistograms(poolHistograms(h)))) };
}

function report(cm: ConfusionMatrix, auc: number[]): ClassificationReport {
  const m = classificationMetrics(cm);
  return { count: m.count, accuracy: m.accuracy, macroF1: m.macroF1, perClass: m.perClass, auc, confusion: Array.from(cm.counts) };
}

export interface ClassifierStrategyOptions {
  readonly classes: number;
  /** Weight of each class in the cross-entropy (e.g. `balancedClassWeights(counts)`). Default: none (all 1). */
  readonly classWeights?: readonly number[];
}

/**
 * `inner` for a classifier: class weights in every fit config (kept in the strategy state, so a
 * resumed run keeps them), and evaluation pooled into `EvaluationSummary.classification`.
 */
export function classifierStrategy(inner: Strategy, options: ClassifierStrategyOptions): Strategy {
  const { classes } = options;
  if (options.classWeights !== undefined && options.classWeights.length !== classes) {
    throw new RangeError(`classifierStrategy: ${options.classWeights.length} class weights for ${classes} classes`);
  }
  const KEY = 'classWeights';
  const withWeights = (state: ReturnType<Strategy['initialState']>, weights: unknown): ReturnType<Strategy['initialState']> => ({ ...state, json: { ...state.json, [KEY]: weights as number[] | null } });
  return {
    ...inner,
    initialState: (parameters) => withWeights(inner.initialState(parameters), options.classWeights === undefined ? null : [...options.classWeights]),
    configureFit: (context) => {
      const plan = inner.configureFit(context);
      const weights = context.state.json[KEY];
      return Array.isArray(weights) ? { ...plan, config: { ...plan.config, ...({ classWeights: weights } as object) } } : plan;
    },
    aggregateFit: (input) => {
      const out = inner.aggregateFit(input);
      return { ...out, state: withWeights(out.state, input.state.json[KEY] ?? null) };
    },
    aggregateEvaluate: (round, results) => {
      const classification = classificationSummary(results, classes);
      const nan = { mse: Number.NaN, rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
      const perPlant = Object.fromEntries(results.filter((r) => classification.perPlant[r.plantId] !== undefined).map((r) => [r.plantId, { ...nan, ...r.metrics, numExamples: r.numExamples }]));
      return { perPlant, weighted: nan, classification };
    },
  };
}

/**
 * Sums the plants' training class counts (`class-counts` task) through `summation` (default in the
 * clear; secure aggregation's reveals only the total): the input of `balancedClassWeights`.
 */
export async function collectClassCounts(grid: Grid, options: { runId: string; classes: number; timeoutMs: number; summation?: Summation; plantIds?: readonly string[] }): Promise<number[]> {
  const task: TaskMessage = { kind: 'class-counts', runId: options.runId, round: 0, config: {}, arrays: {} };
  const out = await (options.summation ?? plainSummation).sum(grid, options.plantIds ?? grid.plants(), task, { timeoutMs: options.timeoutMs });
  const counts = out.sums.classCounts;
  if (counts === undefined || counts.length !== options.classes) {
    throw new RangeError(`collectClassCounts: ${out.contributors.length} plants answered, with ${counts?.length ?? 'no'} class counts for ${options.classes} classes (${out.failures.map((f) => `${f.plantId}: ${f.failure.message}`).join('; ') || 'no failures'})`);
  }
  return Array.from(counts, (c) => Math.round(c));
}

/** Evaluates `parameters` on every connected classifier plant's held-out data and pools the counts. */
export async function evaluateClassifierFederated(
  grid: Grid,
  parameters: Float64Array,
  options: { runId: string; round: number; classes: number; timeoutMs: number; scaling?: ScalingArrays },
): Promise<ClassificationEvaluation> {
  const replies: ReplyOk[] = [];
  const task: TaskMessage = { kind: 'evaluate', runId: options.runId, round: options.round, config: {}, arrays: { ...options.scaling, parameters } };
  for await (const reply of grid.send(grid.plants(), task, { timeoutMs: options.timeoutMs })) if (reply.ok) replies.push(reply);
  return classificationSummary(replies, options.classes);
}

/** How a run's class weights are chosen: `'balanced'` from the plants' pooled counts, explicit weights, or none. */
export type ClassWeightSpec = 'balanced' | readonly number[] | undefined;

/**
 * The class weights of a new run: for `'balanced'`, waits until `minPlants` are connected and
 * derives n/(K·n_k) from their pooled training class counts (through `summation`: secure
 * aggregation's hides each plant's counts). Returns the counts it used, for the log.
 *
 * @example
 * const { classWeights } = await classWeightsForRun(grid, 'balanced', { runId, classes: 3, minPlants: 2, waitForPlantsMs: 60_000, timeoutMs: 10_000 });
 */
export async function classWeightsForRun(
  grid: Grid,
  spec: ClassWeightSpec,
  options: { runId: string; classes: number; minPlants: number; waitForPlantsMs: number; timeoutMs: number; summation?: Summation; signal?: AbortSignal },
): Promise<{ classWeights?: number[]; counts?: number[] }> {
  if (spec === undefined) return {};
  if (spec !== 'balanced') {
    if (spec.length !== options.classes) throw new RangeError(`model.classWeights has ${spec.length} values for ${options.classes} classes`);
    return { classWeights: [...spec] };
  }
  const plantIds = await grid.waitForPlants(options.minPlants, { timeoutMs: options.waitForPlantsMs, signal: options.signal });
  if (options.signal?.aborted) return {};
  if (plantIds.length < options.minPlants) {
    throw new CrucibleError('QUORUM_NOT_REACHED', `class weights: ${plantIds.length} of ${options.minPlants} required plants connected within ${options.waitForPlantsMs} ms`, { round: 0 });
  }
  const counts = await collectClassCounts(grid, { runId: options.runId, classes: options.classes, timeoutMs: options.timeoutMs, summation: options.summation, plantIds });
  return { classWeights: balancedClassWeights(counts), counts };
}
