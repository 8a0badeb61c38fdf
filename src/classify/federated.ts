/**
 * Federated classifiers. The core plant trains with MSE (`src/federation/local-training.ts`), so a
 * classifier plant answers its fit and evaluate tasks through this middleware instead:
 *
 * - `fit`: local training with (class-weighted) cross-entropy from the global parameters; the reply
 *   is the usual update, so strategies, secure aggregation and DP work unchanged. Class weights come
 *   from the coordinator in `arrays.classWeights` (see `withClassWeights`), computed from the
 *   plants' summed class counts (`class-counts` task) — counts, never rows.
 * - `evaluate`: the plant's held-out confusion matrix and per-class score histograms as arrays
 *   (sufficient statistics), per-plant accuracy/F1/recall/AUC as metrics. `classificationSummary`
 *   pools them at the coordinator into exact pooled confusion metrics and binned pooled AUCs.
 *
 * Federated feature scaling (`featureScaling: true`) is honoured. Not supported (answered as a
 * failure, never silently ignored): FedProx's proximal term, SCAFFOLD, `maxSteps`.
 *
 * @example
 * const plant = createPlant({ plantId, data: { x, y: labels }, validation, model,
 *   middleware: [classifierTasks({ model, train: { x, y: labels }, validation, classes: 3 })] });
 * runFederation(grid, withClassWeights(fedAvg(), balancedClassWeights(pooledCounts)), options);
 */
import { Adam } from '../nn/adam.js';
import { fit, predict } from '../nn/fit.js';
import type { Model } from '../nn/mlp.js';
import { Sgd } from '../nn/sgd.js';
import type { Grid } from '../federation/grid.js';
import { failureReply, type FitConfig, type PlantReply, type ReplyOk, type ScalingArrays, type TaskMessage } from '../federation/messages.js';
import type { PlantData, PlantMiddleware } from '../federation/plant.js';
import type { Strategy } from '../federation/strategy.js';
import { Tensor } from '../tensor/tensor.js';
import { classificationLoss, oneHot } from './losses.js';
import {
  aucFromHistograms, classificationMetrics, confusionMatrix, poolConfusion, poolHistograms, rocAuc, scoreHistogram,
  type ClassificationMetrics, type ConfusionMatrix, type ScoreHistogram,
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

function standardised(x: Tensor, task: TaskMessage): Tensor {
  const { featureMean: mean, featureStd: std } = task.arrays;
  if (mean === undefined || std === undefined) return x;
  return new Tensor(x.rows, x.cols, x.data.map((v, k) => (v - mean[k % x.cols]) / std[k % x.cols]));
}

function labelsOf(y: Tensor): Float64Array {
  return Float64Array.from(y.data);
}

/** Plant middleware answering `fit`, `evaluate` and `class-counts` tasks of a classifier. */
export function classifierTasks(options: ClassifierTasksOptions): PlantMiddleware {
  const { classes } = options;
  const bins = options.bins ?? 1000;
  return (next, plant) => async (task): Promise<PlantReply> => {
    const header = { kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId };
    try {
      if (task.kind === 'class-counts') {
        const counts = new Float64Array(classes);
        for (const c of options.train.y.data) counts[c]++;
        return { ok: true, ...header, numExamples: options.train.x.rows, metrics: {}, arrays: { classCounts: counts } };
      }
      if (task.kind !== 'fit' && task.kind !== 'evaluate') return next(task);
      const global = task.arrays.parameters;
      const model = options.model();
      if (global === undefined || global.length !== model.parameters.count) {
        throw new RangeError(`${task.kind} task carries ${global?.length ?? 'no'} parameters, the classifier has ${model.parameters.count}`);
      }
      model.parameters.set(global);
      if (task.kind === 'fit') return fitClassifier(task, model, header);
      return evaluateClassifier(task, model, header);
    } catch (e) {
      return failureReply(task, plant.plantId, { code: 'PLANT_TASK_FAILED', message: `plant '${plant.plantId}', ${task.kind} of round ${task.round}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  function fitClassifier(task: TaskMessage, model: Model, header: Omit<ReplyOk, 'ok' | 'numExamples' | 'metrics' | 'arrays'>): PlantReply {
    const config = task.config as FitConfig;
    if ((config.proximalMu ?? 0) > 0 || config.scaffold || config.maxSteps !== undefined) {
      throw new RangeError('classifier plants support neither FedProx, SCAFFOLD nor maxSteps');
    }
    const weights = task.arrays.classWeights;
    if (weights !== undefined && weights.length !== classes) throw new RangeError(`classWeights has ${weights.length} values for ${classes} classes`);
    const x = standardised(options.train.x, task);
    const y = model.outputSize === 1 ? options.train.y : oneHot(options.train.y.data, classes);
    const global = model.parameters.get();
    const optimizer = config.optimizer === 'adam' ? new Adam(model.parameters, { lr: config.learningRate }) : new Sgd(model.parameters, { lr: config.learningRate });
    const history = fit(model, x, y, {
      epochs: config.epochs, batchSize: config.batchSize, optimizer, seed: config.seed,
      loss: classificationLoss({ outputs: model.outputSize, classWeights: weights === undefined ? undefined : Array.from(weights) }),
    });
    const update = model.parameters.values.map((v, i) => v - global[i]);
    return { ok: true, ...header, numExamples: x.rows, metrics: { trainLoss: history.epochLoss.at(-1)!, localSteps: history.steps }, arrays: { update } };
  }

  function evaluateClassifier(task: TaskMessage, model: Model, header: Omit<ReplyOk, 'ok' | 'numExamples' | 'metrics' | 'arrays'>): PlantReply {
    const labels = labelsOf(options.validation.y);
    const probabilities = classProbabilities(predict(model, standardised(options.validation.x, task)), classes);
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
      metrics[`recall${k}`] = m.perClass[k].recall;
      metrics[`precision${k}`] = m.perClass[k].precision;
      metrics[`auc${k}`] = rocAuc(scores, isK);
    }
    return { ok: true, ...header, numExamples: labels.length, metrics, arrays };
  }
}

/** Per-plant and pooled classification metrics from evaluate replies of `classifierTasks` plants. */
export interface ClassificationSummary {
  readonly perPlant: Readonly<Record<string, ClassificationMetrics & { readonly auc: readonly number[] }>>;
  /** From the summed confusion matrices and score histograms. `auc[k − 1]` is class k against the rest. */
  readonly pooled: ClassificationMetrics & { readonly auc: readonly number[] };
}

export function classificationSummary(replies: readonly ReplyOk[], classes: number): ClassificationSummary {
  const perPlant: Record<string, ClassificationMetrics & { auc: number[] }> = {};
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
    perPlant[r.plantId] = { ...classificationMetrics(cm), auc };
  }
  if (confusions.length === 0) throw new RangeError('classificationSummary: no classifier evaluation among the replies');
  return {
    perPlant,
    pooled: { ...classificationMetrics(poolConfusion(confusions)), auc: histograms.map((h) => aucFromHistograms(poolHistograms(h))) },
  };
}

/** `inner` with class weights sent to every plant's fit task (`arrays.classWeights`). */
export function withClassWeights(inner: Strategy, classWeights: readonly number[]): Strategy {
  const weights = Float64Array.from(classWeights);
  return {
    ...inner,
    configureFit: (context) => {
      const plan = inner.configureFit(context);
      return { ...plan, arrays: { ...plan.arrays, classWeights: weights } };
    },
  };
}

/** Sums the plants' training class counts (`class-counts` task): the input of `balancedClassWeights`. */
export async function collectClassCounts(grid: Grid, options: { runId: string; classes: number; timeoutMs: number }): Promise<number[]> {
  const total = new Array<number>(options.classes).fill(0);
  for await (const reply of grid.send(grid.plants(), { kind: 'class-counts', runId: options.runId, round: 0, config: {}, arrays: {} }, { timeoutMs: options.timeoutMs })) {
    const counts = reply.ok ? reply.arrays.classCounts : undefined;
    if (counts === undefined || counts.length !== options.classes) continue;
    counts.forEach((c, k) => (total[k] += c));
  }
  return total;
}

/** Evaluates `parameters` on every connected classifier plant's held-out data and pools the counts. */
export async function evaluateClassifierFederated(
  grid: Grid,
  parameters: Float64Array,
  options: { runId: string; round: number; classes: number; timeoutMs: number; scaling?: ScalingArrays },
): Promise<ClassificationSummary> {
  const replies: ReplyOk[] = [];
  const task: TaskMessage = { kind: 'evaluate', runId: options.runId, round: options.round, config: {}, arrays: { ...options.scaling, parameters } };
  for await (const reply of grid.send(grid.plants(), task, { timeoutMs: options.timeoutMs })) if (reply.ok) replies.push(reply);
  return classificationSummary(replies, options.classes);
}
