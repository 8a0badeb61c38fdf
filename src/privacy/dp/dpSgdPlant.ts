/**
 * Sample-level DP at a plant, as middleware: fit tasks are answered by DP-SGD (`trainDpSgd`) on the
 * plant's training records instead of the plant's ordinary local training, and each training run is
 * checked against and recorded in the plant's own sample-level budget. When the next run would
 * exceed it, the plant answers BUDGET_EXHAUSTED (a failure as data) and stops contributing.
 *
 * Seam note: the federation's `PlantMiddleware` sees tasks and replies but not the plant's data, so
 * this middleware is given the training rows and the model factory itself (the same ones the plant
 * was built with; pass the training split, not held-out rows).
 *
 * @example
 * createPlant({ plantId, data: train, validation, model, middleware: [dpSgdPlant({ train, model, dpSgd: { … }, guard })] });
 */
import { CrucibleError } from '../../errors.js';
import type { FitConfig, PlantReply } from '../../federation/messages.js';
import type { PlantData, PlantMiddleware } from '../../federation/plant.js';
import type { Mlp } from '../../nn/mlp.js';
import { Tensor } from '../../tensor/tensor.js';
import type { BudgetGuard } from './budget.js';
import { type DpSgdOptions, trainDpSgd } from './dpSgd.js';

export interface DpSgdPlantOptions {
  /** The plant's training records. */
  readonly train: PlantData;
  readonly model: () => Mlp;
  /** DP-SGD settings; the learning rate comes from the task when absent. */
  readonly dpSgd: Omit<DpSgdOptions, 'learningRate'> & { learningRate?: number };
  /** Sample-level budget of this plant (scope `{ level: 'sample', plant }`). */
  readonly guard?: BudgetGuard;
}

export function dpSgdPlant(options: DpSgdPlantOptions): PlantMiddleware {
  return (next, plant) => async (task) => {
    if (task.kind !== 'fit') return next(task);
    const config = task.config as FitConfig;
    const settings = { ...options.dpSgd, learningRate: options.dpSgd.learningRate ?? config.learningRate };
    const event = { noiseMultiplier: settings.noiseMultiplier, samplingRate: settings.samplingRate, steps: settings.steps };
    const fail = (code: 'BUDGET_EXHAUSTED' | 'UPDATE_REJECTED', message: string): PlantReply => ({ ok: false, kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId, failure: { code, message } });
    try {
      options.guard?.admit(task.round, event);
    } catch (e) {
      if (e instanceof CrucibleError) return fail('BUDGET_EXHAUSTED', `plant ${plant.plantId}: ${e.message}`);
      throw e;
    }
    const global = task.arrays.parameters;
    const model = options.model();
    if (global === undefined || global.length !== model.parameters.count) {
      return fail('UPDATE_REJECTED', `plant ${plant.plantId}: fit task of round ${task.round} carries ${global?.length ?? 'no'} parameters, the model has ${model.parameters.count}`);
    }
    model.parameters.set(global);
    const x = standardise(options.train.x, task.arrays.featureMean, task.arrays.featureStd);
    const y = standardise(options.train.y, task.arrays.targetMean, task.arrays.targetStd);
    const outcome = trainDpSgd(model, x, y, settings);
    options.guard?.commit(task.round, outcome.event, { label: 'dp-sgd', plant: plant.plantId });
    const update = model.parameters.values.map((v, i) => v - global[i]);
    return {
      ok: true, kind: 'fit', runId: task.runId, round: task.round, plantId: plant.plantId,
      numExamples: options.train.x.rows,
      metrics: { trainLoss: outcome.meanLoss, localSteps: settings.steps, ...(options.guard ? { sampleEpsilon: options.guard.spent() } : {}) },
      arrays: { update },
    };
  };
}

/** The federated feature scaling of the task (the plant core applies the same). */
function standardise(t: Tensor, mean: Float64Array | undefined, std: Float64Array | undefined): Tensor {
  if (mean === undefined || std === undefined) return t;
  const out = new Tensor(t.rows, t.cols);
  for (let i = 0; i < t.data.length; i++) out.data[i] = (t.data[i] - mean[i % t.cols]) / std[i % t.cols];
  return out;
}
