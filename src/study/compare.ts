/**
 * The comparison every federated-learning claim rests on: for the same plants, train each plant's
 * local-only model, a federated model (only updates leave a plant) and a centralized model on pooled
 * data (the upper bound no competitor would allow), then score all three on every plant's held-out
 * data. Used by the demo, the report and the optimization study.
 *
 * All metrics are computed on targets standardised with the federated (global) scaling, so methods
 * and outputs of different units are comparable.
 *
 * @example
 * const result = await compareTraining(plants, { inputNames, outputNames, network: { hidden: [32, 32] }, seed: 1 });
 * result.metrics.filter((m) => m.plantId === 'plant-a');
 */
import { Mlp } from '../nn/mlp.js';
import type { ActivationName } from '../nn/activation.js';
import { fit, predict } from '../nn/fit.js';
import { Adam } from '../nn/adam.js';
import { ProcessModel, type ModelScaling } from '../nn/process-model.js';
import { Tensor } from '../tensor/tensor.js';
import { concat } from '../tensor/ops/index.js';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { createPlant, type PlantMiddleware } from '../federation/plant.js';
import { runFederation } from '../federation/run.js';
import { federatedScaling, meanAndStd } from '../federation/feature-scaling.js';
import { fedAvg } from '../federation/strategies/index.js';
import type { Strategy } from '../federation/strategy.js';
import type { RoundResult } from '../federation/round-result.js';
import { regressionMetrics, regressionSums, type RegressionMetrics } from '../federation/evaluation.js';
import { cosineSchedule } from '../nn/schedules.js';

/** One plant's data in physical units: rows of inputs x and outputs y, split into train and test. */
export interface PlantSplit {
  plantId: string;
  train: { x: Tensor; y: Tensor };
  test: { x: Tensor; y: Tensor };
}

export interface CompareOptions {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Hidden widths and activation of every model. Default [32, 32], tanh. */
  network?: { hidden?: number[]; activation?: ActivationName };
  /** Local-only and centralized training (Adam, cosine decay). Defaults: 300 epochs, batch 32, lr 0.01. */
  central?: { epochs?: number; batchSize?: number; learningRate?: number };
  /** Federated training. Defaults: 40 rounds, 2 local epochs (or at most `maxSteps` steps), batch 32, lr 0.01, Adam, FedAvg. */
  federated?: {
    rounds?: number;
    localEpochs?: number;
    maxSteps?: number;
    batchSize?: number;
    learningRate?: number;
    optimizer?: 'adam' | 'sgd';
    strategy?: Strategy;
    middleware?: readonly PlantMiddleware[];
  };
  /** Which of the three to train. Default all. */
  methods?: readonly Method[];
  seed?: number;
  /** Called after every federated round. */
  onRound?: (round: RoundResult) => void;
  /** Called as each method finishes ('local:plant-a', 'federated', 'centralized'). */
  onProgress?: (step: string) => void;
}

export type Method = 'local' | 'federated' | 'centralized';

export interface MethodMetrics extends RegressionMetrics {
  plantId: string;
  method: Method;
}

export interface CompareResult {
  local: Record<string, ProcessModel>;
  federated?: ProcessModel;
  centralized?: ProcessModel;
  /** Per plant and method, on the plant's test split (standardised with the global scaling). */
  metrics: MethodMetrics[];
  /** Federated rounds: global weighted validation MSE and RMSE per round. */
  rounds: { round: number; mse: number; rmse: number; r2: number; participants: number; durationMs: number }[];
  /** The federated (global) scaling every metric uses. */
  scaling: ModelScaling;
}

/** Trains local-only, federated and centralized models on `plants` and scores them. */
export async function compareTraining(plants: readonly PlantSplit[], options: CompareOptions): Promise<CompareResult> {
  if (plants.length === 0) throw new RangeError('compareTraining: no plants');
  const methods = new Set<Method>(options.methods ?? ['local', 'federated', 'centralized']);
  const seed = options.seed ?? 0;
  const widths = [options.inputNames.length, ...(options.network?.hidden ?? [32, 32]), options.outputNames.length];
  const activation = options.network?.activation ?? 'tanh';
  const newNetwork = (): Mlp => new Mlp({ widths, activation, seed });
  const info = { inputNames: options.inputNames, outputNames: options.outputNames };
  const central = { epochs: 300, batchSize: 32, learningRate: 0.01, ...options.central };

  const pooledScaling = scalingOf(plants.map((p) => p.train));
  const trainAlone = (data: { x: Tensor; y: Tensor }[], scaling: ModelScaling, label: string): ProcessModel => {
    const net = newNetwork();
    const pm = new ProcessModel(net, { ...info, scaling, provenance: { method: label } });
    const x = concatRows(data.map((d) => d.x));
    const y = concatRows(data.map((d) => d.y));
    const xs = pm.scaleInputs(x).detach();
    const ys = standardize(y, scaling);
    const steps = central.epochs * Math.ceil(x.rows / central.batchSize);
    fit(net, xs, ys, {
      epochs: central.epochs,
      batchSize: central.batchSize,
      seed,
      optimizer: new Adam(net.parameters, { lr: cosineSchedule(central.learningRate, { totalSteps: steps, minLr: central.learningRate * 0.05 }) }),
    });
    return pm;
  };

  const local: Record<string, ProcessModel> = {};
  if (methods.has('local')) {
    for (const p of plants) {
      local[p.plantId] = trainAlone([p.train], scalingOf([p.train]), `local:${p.plantId}`);
      options.onProgress?.(`local:${p.plantId}`);
    }
  }
  const centralized = methods.has('centralized') ? trainAlone(plants.map((p) => p.train), pooledScaling, 'centralized') : undefined;
  if (centralized !== undefined) options.onProgress?.('centralized');

  let federated: ProcessModel | undefined;
  const rounds: CompareResult['rounds'] = [];
  let scaling = pooledScaling;
  if (methods.has('federated')) {
    const f = { rounds: 40, localEpochs: 2, batchSize: 32, learningRate: 0.01, ...options.federated };
    const grid = new InMemoryGrid(
      plants.map((p) =>
        createPlant({ plantId: p.plantId, data: p.train, validation: p.test, model: newNetwork, middleware: f.middleware }),
      ),
    );
    const plantIds = plants.map((p) => p.plantId);
    // The same federated scaling the round loop computes (deterministic sums), kept for the model file.
    scaling = (await federatedScaling(grid, plantIds, { runId: 'compare', timeoutMs: 60_000 })).scaling;
    const net = newNetwork();
    let last: Float64Array = net.parameters.get();
    for await (const r of runFederation(grid, f.strategy ?? fedAvg(), {
      runId: 'compare',
      rounds: f.rounds,
      seed,
      initialParameters: net.parameters.get(),
      training: { epochs: f.localEpochs, batchSize: f.batchSize, learningRate: f.learningRate, optimizer: f.optimizer ?? 'adam', ...(f.maxSteps === undefined ? {} : { maxSteps: f.maxSteps }) },
      minPlants: plants.length,
      timeouts: { waitForPlantsMs: 10_000, fitMs: 600_000, evaluateMs: 600_000 },
      featureScaling: true,
    })) {
      last = r.globalParameters;
      const w = r.evaluation?.weighted;
      rounds.push({ round: r.round, mse: w?.mse ?? NaN, rmse: w?.rmse ?? NaN, r2: w?.r2 ?? NaN, participants: r.participants.length, durationMs: r.durationMs });
      options.onRound?.(r);
    }
    await grid.close();
    net.parameters.set(last);
    federated = new ProcessModel(net, { ...info, scaling, provenance: { method: 'federated', rounds: f.rounds, strategy: (f.strategy ?? fedAvg()).name } });
    options.onProgress?.('federated');
  }

  const metrics: MethodMetrics[] = [];
  for (const p of plants) {
    const score = (pm: ProcessModel, method: Method): void => {
      const pred = standardize(predict(pm.network, pm.scaleInputs(p.test.x).detach()), pm.scaling, true);
      metrics.push({ plantId: p.plantId, method, ...regressionMetrics(regressionSums(standardize(pred, scaling), standardize(p.test.y, scaling))) });
    };
    if (local[p.plantId] !== undefined) score(local[p.plantId], 'local');
    if (federated !== undefined) score(federated, 'federated');
    if (centralized !== undefined) score(centralized, 'centralized');
  }
  return { local, federated, centralized, metrics, rounds, scaling };
}

/** Global mean/std of inputs and outputs over the given parts (pooled). */
export function scalingOf(parts: readonly { x: Tensor; y: Tensor }[]): ModelScaling {
  const stats = (ts: Tensor[]): [Float64Array, Float64Array] => {
    const k = ts[0].cols;
    const sum = new Float64Array(k);
    const sumSq = new Float64Array(k);
    let n = 0;
    for (const t of ts) {
      for (let i = 0; i < t.rows; i++) {
        for (let j = 0; j < k; j++) {
          const v = t.data[i * k + j];
          sum[j] += v;
          sumSq[j] += v * v;
        }
      }
      n += t.rows;
    }
    return meanAndStd(sum, sumSq, n);
  };
  const [featureMean, featureStd] = stats(parts.map((p) => p.x));
  const [targetMean, targetStd] = stats(parts.map((p) => p.y));
  return { featureMean, featureStd, targetMean, targetStd };
}

/** (y − mean)/std with the target scaling, or its inverse. */
export function standardize(y: Tensor, s: ModelScaling, inverse = false): Tensor {
  const out = new Tensor(y.rows, y.cols);
  for (let i = 0; i < y.rows; i++) {
    for (let j = 0; j < y.cols; j++) {
      const v = y.data[i * y.cols + j];
      out.data[i * y.cols + j] = inverse ? v * s.targetStd[j] + s.targetMean[j] : (v - s.targetMean[j]) / s.targetStd[j];
    }
  }
  return out;
}

function concatRows(ts: Tensor[]): Tensor {
  return ts.length === 1 ? ts[0] : concat(ts, 0).detach();
}
