/**
 * `crucible demo` as a library: an async generator of progress events that the CLI prints and the
 * test consumes, returning the run's results. Steps: (1) simulate three heterogeneous plants and
 * write their logs as CSV + schema; (2) train the federated model over gRPC with a coordinator and
 * three plant PROCESSES; (3) train local-only and centralized models for comparison; (4) score all
 * on every plant's held-out, later block; the DP variant in memory; (5) optimize each plant's
 * setpoints with the federated model and score them on the true simulator; (6) write the report.
 *
 * @example
 * const demo = runDemo({ ...defaultDemoOptions, fast: true });
 * for (let e = await demo.next(); !e.done; e = await demo.next()) console.log(e.value.type);
 */
import { join, resolve } from 'node:path';
import type { ActivationName } from '../nn/activation.js';
import { Mlp } from '../nn/mlp.js';
import { ProcessModel } from '../nn/process-model.js';
import { saveProcessModel } from '../nn/save.js';
import { compareTraining, type Method } from '../study/compare.js';
import { federatedWithDp, noiseMultiplierFor, type DpOutcome } from './dp.js';
import { federateOverNetwork, type NetworkEvent, type NetworkResult } from './network.js';
import { fineTune } from './personalize.js';
import { optimizePlants, type OptimizationOutcome } from './optimize.js';
import { preparePlants, type DemoScenario, type PreparedPlants } from './plants.js';
import { writeDemoReport } from './report.js';
import { scoreModel } from './score.js';

export interface DemoOptions {
  scenario: DemoScenario;
  seed: number;
  /** Parent folder of the run folder. Default 'out'. */
  outDir: string;
  /** Run folder name. Default `<scenario>-<seed>`. */
  runName?: string;
  /** Small data and few rounds (the end-to-end test). */
  fast: boolean;
  /** Federated rounds (network run). */
  rounds: number;
  /** Local training per round: SGD steps of one minibatch each, and their learning rate. */
  localSteps: number;
  localLearningRate: number;
  /** FedAdam's server learning rate (Reddi et al., ICLR 2021). */
  serverLearningRate: number;
  /** Personalization: epochs and Adam learning rate with which each plant fine-tunes the federated model on its own rows. */
  fineTuneEpochs: number;
  fineTuneLearningRate: number;
  /** Epochs of the local-only and centralized models (Adam, cosine decay from `learningRate`). */
  epochs: number;
  hidden: number[];
  activation: ActivationName;
  learningRate: number;
  batchSize: number;
  /** Samples per simulated plant; default each preset plant's own (heterogeneous) count. */
  samples?: number;
  /** Plant-level DP-FedAvg variant (in memory) at the target ε over all rounds; `false` to skip. */
  dp: { epsilon: number; clipNorm: number; delta: number } | false;
  debutanizerFile?: string;
}

/**
 * Defaults chosen on a validation block carved from the plants' training blocks (never the test
 * blocks): FedAvg with 3 Adam epochs per round drifted towards the big plants (client drift,
 * Karimireddy et al. 2020); few local SGD steps with a FedAdam server step did not.
 */
export const defaultDemoOptions: DemoOptions = {
  scenario: 'cstr',
  seed: 7,
  outDir: 'out',
  fast: false,
  rounds: 200,
  localSteps: 10,
  localLearningRate: 0.01,
  serverLearningRate: 0.02,
  fineTuneEpochs: 5,
  fineTuneLearningRate: 0.001,
  epochs: 10,
  hidden: [32, 32],
  activation: 'tanh',
  learningRate: 0.01,
  batchSize: 32,
  dp: { epsilon: 8, clipNorm: 0.1, delta: 1e-5 },
};

/** What fast mode changes: small data, few rounds (under a minute end to end). */
export const fastDemoOverrides: Partial<DemoOptions> = { samples: 500, rounds: 3, localSteps: 5, epochs: 5, fineTuneEpochs: 2, hidden: [16] };

export type MethodName = Method | 'federated+finetune' | 'federated+dp';

export interface PlantMetricsRow {
  plantId: string;
  method: MethodName;
  mse: number;
  rmse: number;
  r2: number;
}

export type DemoEvent =
  | { type: 'step'; step: number; title: string }
  | { type: 'plants'; dir: string; plants: { plantId: string; rows: number; trainRows: number; testRows: number }[]; features: string }
  | NetworkEvent
  | { type: 'trained'; method: string }
  | { type: 'dp-round'; round: number; rounds: number }
  | { type: 'metrics'; rows: PlantMetricsRow[] }
  | { type: 'optimized'; outcome: OptimizationOutcome }
  | { type: 'report'; path: string };

export interface DemoResult {
  dir: string;
  reportPath: string;
  prepared: PreparedPlants;
  network: NetworkResult;
  metrics: PlantMetricsRow[];
  dp?: DpOutcome;
  optimization: OptimizationOutcome;
  /** Per plant: federated MSE / local MSE and federated MSE / centralized MSE. */
  ratios: { plantId: string; federatedOverLocal: number; federatedOverCentralized: number; fineTunedOverLocal: number }[];
}

/** Runs the demo (see the file comment). */
export async function* runDemo(input: Partial<DemoOptions> = {}): AsyncGenerator<DemoEvent, DemoResult, undefined> {
  const o: DemoOptions = { ...defaultDemoOptions, ...(input.fast ? fastDemoOverrides : {}), ...stripUndefined(input) };
  const dir = resolve(o.outDir, o.runName ?? `${o.scenario}-${o.seed}`);
  const network = { hidden: o.hidden, activation: o.activation };

  yield { type: 'step', step: 1, title: o.scenario === 'debutanizer' ? 'Splitting the debutanizer data into three plants' : `Simulating three ${o.scenario} plants (preset arxiv-2604.26073)` };
  const prepared = await preparePlants({ scenario: o.scenario, seed: o.seed, dir, samples: o.samples, debutanizerFile: o.debutanizerFile });
  yield {
    type: 'plants',
    dir: join(dir, 'plants'),
    plants: prepared.plants.map((p) => ({ plantId: p.plantId, rows: p.dataset.length, trainRows: p.split.train.rows, testRows: p.split.test.rows })),
    features: prepared.featureNote,
  };

  yield { type: 'step', step: 2, title: 'Federated training: coordinator + three plant processes over gRPC (mutual TLS, loopback)' };
  const widths = [prepared.inputNames.length, ...o.hidden, prepared.outputNames.length];
  const federation = federateOverNetwork(prepared.plants, {
    dir: join(dir, 'federation'),
    model: { widths, activation: o.activation, seed: o.seed },
    rounds: o.rounds,
    seed: o.seed,
    serverLearningRate: o.serverLearningRate,
    training: { epochs: 1, maxSteps: o.localSteps, batchSize: o.batchSize, learningRate: o.localLearningRate, optimizer: 'sgd' },
  });
  let step = await federation.next();
  while (!step.done) {
    yield step.value;
    step = await federation.next();
  }
  const networkResult = step.value;
  const net = new Mlp({ widths, activation: o.activation, seed: o.seed });
  net.parameters.set(networkResult.parameters);
  const federated = new ProcessModel(net, {
    inputNames: prepared.inputNames,
    outputNames: prepared.outputNames,
    scaling: networkResult.scaling,
    provenance: { method: 'federated', transport: 'grpc', rounds: o.rounds, runId: networkResult.runId },
  });

  // The federated model as a file, for `crucible optimize --model` (it is what every plant receives anyway).
  const modelPath = join(dir, 'federated.model.json');
  await saveProcessModel(federated, modelPath);
  yield { type: 'trained', method: `federated (saved to ${modelPath})` };

  // Each plant fine-tunes the federated model on its own rows (in its own process in a deployment).
  const personalized: Record<string, ProcessModel> = {};
  for (const p of prepared.plants) {
    personalized[p.plantId] = fineTune(federated, p.data.train, { epochs: o.fineTuneEpochs, learningRate: o.fineTuneLearningRate, batchSize: o.batchSize, seed: o.seed });
  }
  yield { type: 'trained', method: 'federated+finetune' };

  yield { type: 'step', step: 3, title: 'Local-only and centralized models for comparison' };
  const trained: string[] = [];
  const compare = await compareTraining(
    prepared.plants.map((p) => p.data),
    {
      inputNames: prepared.inputNames,
      outputNames: prepared.outputNames,
      network,
      methods: ['local', 'centralized'],
      central: { epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate },
      seed: o.seed,
      onProgress: (s) => trained.push(s),
    },
  );
  for (const method of trained) yield { type: 'trained', method };

  let dp: DpOutcome | undefined;
  if (o.dp !== false) {
    const noiseMultiplier = noiseMultiplierFor(o.dp.epsilon, o.dp.delta, o.rounds);
    yield { type: 'step', step: 4, title: `Federated + plant-level DP, in memory: ε = ${o.dp.epsilon} at δ = ${o.dp.delta} over ${o.rounds} rounds → z = ${noiseMultiplier.toFixed(2)}, C = ${o.dp.clipNorm}` };
    const rounds: number[] = [];
    dp = await federatedWithDp(prepared, {
      noiseMultiplier, clipNorm: o.dp.clipNorm, delta: o.dp.delta, rounds: o.rounds, localSteps: o.localSteps, localLearningRate: o.localLearningRate, serverLearningRate: o.serverLearningRate,
      seed: o.seed, network, batchSize: o.batchSize, onRound: (r) => rounds.push(r),
    });
    for (const r of rounds) yield { type: 'dp-round', round: r, rounds: o.rounds };
  }

  const metrics: PlantMetricsRow[] = [];
  for (const p of prepared.plants) {
    const models: [MethodName, ProcessModel | undefined][] = [
      ['local', compare.local[p.plantId]],
      ['federated', federated],
      ['federated+finetune', personalized[p.plantId]],
      ['centralized', compare.centralized],
      ['federated+dp', dp?.model],
    ];
    for (const [method, model] of models) {
      if (model === undefined) continue;
      const m = scoreModel(model, p.data.test, compare.scaling);
      metrics.push({ plantId: p.plantId, method, mse: m.mse, rmse: m.rmse, r2: m.r2 });
    }
  }
  yield { type: 'metrics', rows: metrics };
  const mseOf = (plantId: string, method: MethodName): number => metrics.find((m) => m.plantId === plantId && m.method === method)?.mse ?? Number.NaN;
  const ratios = prepared.plants.map((p) => ({
    plantId: p.plantId,
    federatedOverLocal: mseOf(p.plantId, 'federated') / mseOf(p.plantId, 'local'),
    federatedOverCentralized: mseOf(p.plantId, 'federated') / mseOf(p.plantId, 'centralized'),
    fineTunedOverLocal: mseOf(p.plantId, 'federated+finetune') / mseOf(p.plantId, 'local'),
  }));

  yield { type: 'step', step: 5, title: 'Setpoint optimization with the federated model, scored on the true simulator' };
  // A plant optimizes within its own operating experience (its training inputs), whichever model it uses: the
  // federated model knows this plant's behaviour only where this plant has data.
  const own = (id: string): string[] => [id];
  const optimization = optimizePlants(
    prepared,
    {
      federated: { model: () => federated, trainedOn: own },
      'federated+finetune': { model: (id) => personalized[id], trainedOn: own },
      local: { model: (id) => compare.local[id], trainedOn: own },
    },
    { seed: o.seed },
  );
  yield { type: 'optimized', outcome: optimization };

  yield { type: 'step', step: 6, title: 'Report' };
  const reportPath = await writeDemoReport(dir, {
    options: o, prepared, network: networkResult, metrics, ratios, dp, optimization,
    models: { local: compare.local, federated, personalized, centralized: compare.centralized, dp: dp?.model },
  });
  yield { type: 'report', path: reportPath };
  return { dir, reportPath, prepared, network: networkResult, metrics, dp, optimization, ratios };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
