/**
 * Drift monitoring of the DEPLOYED model at a plant, for the real protocol: the coordinator's
 * `drift` task carries the current global parameters (and the feature scaling they were trained
 * with); the plant takes the rows that arrived since its last report (`incoming`: e.g. its
 * historian file, re-read), computes the model's residuals on them, feeds them with the rows'
 * features to its `DriftMonitor` (Page–Hinkley or ADWIN on |residual|, KS tests per feature against
 * its training data), and answers with flags and scores only (`driftReply`) — never rows.
 *
 * The residual is prediction − measurement of one output (`output`, in target units); for a
 * classifier, 1 − p(true class) (how unsure the model is of what happened).
 *
 * @example
 * createPlant({ plantId, data, model, handlers: modelDriftHandlers({
 *   plantId, model, reference: data.x, incoming: () => readRowsSoFar(), residual: { kind: 'page-hinkley', delta: 0.005, lambda: 0.5 } }) });
 */
import { Classifier } from '../classify/classifier.js';
import { classProbabilities } from '../classify/federated.js';
import { standardisedFeatures, targetsInUnits } from '../federation/evaluation.js';
import { failureReply, type PlantReply, type TaskMessage } from '../federation/messages.js';
import type { PlantData, PlantHandler } from '../federation/plant.js';
import { predict } from '../nn/fit.js';
import type { Model } from '../nn/mlp.js';
import { sliceRows } from '../tensor/ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { DriftMonitor, driftReply, type ResidualDetectorSpec } from './monitor.js';

export interface ModelDriftOptions {
  readonly plantId: string;
  /** A fresh model of the federation's architecture. */
  readonly model: () => Model;
  /** The plant's training inputs: the reference distribution of the feature tests. */
  readonly reference: Tensor;
  /** Every incoming row so far (rows already observed are skipped; a shorter result restarts the count). */
  readonly incoming: () => Promise<PlantData>;
  readonly residual: ResidualDetectorSpec;
  /** Which output's residual to watch. Default 0. */
  readonly output?: number;
  readonly windowSize?: number;
  readonly featureAlpha?: number;
}

/** Handlers of the `drift` and `drift-reset` task kinds (pass to `createPlant({ handlers })`). */
export function modelDriftHandlers(options: ModelDriftOptions): Record<string, PlantHandler> {
  const monitor = new DriftMonitor({ reference: options.reference, residual: options.residual, windowSize: options.windowSize, featureAlpha: options.featureAlpha });
  const output = options.output ?? 0;
  let seen = 0;
  const fail = (task: TaskMessage, e: unknown): PlantReply =>
    failureReply(task, options.plantId, { code: 'PLANT_TASK_FAILED', message: `plant '${options.plantId}', ${task.kind}: ${e instanceof Error ? e.message : String(e)}` });
  return {
    drift: async (task) => {
      try {
        const rows = await options.incoming();
        if (rows.x.rows < seen) seen = 0; // the source was rotated: its rows are all new
        if (rows.x.rows > seen) {
          const parameters = task.arrays.parameters;
          const model = options.model();
          if (parameters === undefined || parameters.length !== model.parameters.count) {
            throw new RangeError(`the drift task carries ${parameters?.length ?? 'no'} parameters, the model has ${model.parameters.count}`);
          }
          if (output < 0 || output >= rows.y.cols) throw new RangeError(`drift.output is ${output}, the data have ${rows.y.cols} outputs`);
          model.parameters.set(parameters);
          const fresh = { x: rows.x.data.subarray(seen * rows.x.cols), y: rows.y.data.subarray(seen * rows.y.cols) };
          const n = rows.x.rows - seen;
          const residuals = residualsOf(model, rows, seen, output, task);
          for (let i = 0; i < n; i++) monitor.observe(fresh.x.subarray(i * rows.x.cols, (i + 1) * rows.x.cols), residuals[i]);
          seen = rows.x.rows;
        }
        return driftReply(task, options.plantId, monitor.status());
      } catch (e) {
        return fail(task, e);
      }
    },
    'drift-reset': async (task) => {
      monitor.reset();
      return { ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId: options.plantId, numExamples: 0, metrics: {}, arrays: {} };
    },
  };
}

/** Residuals of the rows from `from` on. */
function residualsOf(model: Model, rows: PlantData, from: number, output: number, task: TaskMessage): Float64Array {
  const n = rows.x.rows - from;
  const x = sliceRows(rows.x, from, rows.x.rows);
  const predicted = predict(model, standardisedFeatures(x, task.arrays));
  const out = new Float64Array(n);
  if (model instanceof Classifier) {
    const p = classProbabilities(predicted, model.classes);
    for (let i = 0; i < n; i++) out[i] = 1 - p.get(i, rows.y.get(from + i, 0));
    return out;
  }
  const inUnits = targetsInUnits(predicted, task.arrays);
  for (let i = 0; i < n; i++) out[i] = inUnits.get(i, output) - rows.y.get(from + i, output);
  return out;
}
