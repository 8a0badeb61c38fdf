/**
 * `crucible demo` as a library: an async generator of progress events that the CLI prints and the
 * test consumes, returning the run's results. Steps: (1) simulate three plants (or split the real
 * debutanizer data) and write their logs as CSV + schema; (2) train the federated model over gRPC by
 * running `crucible enroll`, `crucible coordinator` and one `crucible plant` per plant as PROCESSES;
 * (3) train local-only and centralized models for comparison; (4) the DP variant in memory, then
 * score every model on every plant's held-out, later block; (5) optimize each plant's setpoints with
 * each model and score them on the plant's true simulator; (6) write the report.
 *
 * @example
 * const demo = runDemo({ ...defaultDemoOptions, fast: true });
 * for (let e = await demo.next(); !e.done; e = await demo.next()) console.log(e.value.type);
 */
import { join, resolve } from 'node:path';
import type { ActivationName } from '../nn/activation.js';
import { Mlp } from '../nn/mlp.js';
import { ProcessModel } from '../nn/process-model.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { saveProcessModel } from '../nn/save.js';
import { compareTraining, type Method, type PlantSplit } from '../study/compare.js';
import { federatedWithDp, noiseMultiplierFor, type DpOutcome } from './dp.js';
import { federateOverNetwork, type NetworkEvent, type NetworkResult } from './network.js';
import { fineTune } from './personalize.js';
import { optimizePlants, type OptimizationOutcome } from './optimize.js';
import { preparePlants, type DemoScenario, type PreparedPlants } from './plants.js';
import { drain } from './drain.js';
import type { PresetName } from '../process/scenario.js';
import { writeDemoReport } from './report.js';
import { scoreModel } from './score.js';
import { trainResponseSurfaces, type ResponseSurfaces } from './response-surfaces.js';
import { optimizeCharges, type ChargeOutcome } from './eaf-charge.js';

export interface DemoOptions {
  scenario: DemoScenario;
  /** Preset of the simulated plants (ignored for real data). Default 'arxiv-2604.26073'. */
  preset: PresetName;
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
  /** Epochs of the local-only models (Adam, cosine decay from `learningRate`). */
  epochs: number;
  /** Epochs of the centralized model. */
  centralizedEpochs: number;
  hidden: number[];
  activation: ActivationName;
  learningRate: number;
  batchSize: number;
  /** Samples per simulated plant; default each preset plant's own (heterogeneous) count. */
  samples?: number;
  /** Plant-level DP-FedAvg variant (in memory) at the target ε over all rounds; `false` to skip. */
  dp: { epsilon: number; clipNorm: number; delta: number } | false;
  debutanizerFile?: string;
  /** Rounds of the plant-adapted response surface's federation (Williams–Otto study fleet only). */
  responseSurfaceRounds: number;
  /** The EAF charge model: bootstrap members and alternating least-squares rounds (the EAF study's 16 and 60). */
  charge: { members: number; rounds: number };
}

/**
 * Defaults chosen on validation blocks carved from the plants' training blocks, never the test
 * blocks (`crucible demo --select`, `selectDemoSettings`; the table is in docs/simulators.md): on
 * the CSTR preset, seed 7, the 32×32 network federated for 800 rounds had the lowest mean
 * validation MSE, local-only and centralized models were best at 10 epochs, and fine-tuning the
 * federated model was best at 2 epochs. Before: FedAvg with 3 Adam epochs per round drifted towards
 * the big plants (client drift, Karimireddy et al. 2020); few local SGD steps with a FedAdam server
 * step did not.
 */
export const defaultDemoOptions: DemoOptions = {
  scenario: 'cstr',
  preset: 'arxiv-2604.26073',
  seed: 7,
  outDir: 'out',
  fast: false,
  rounds: 800,
  localSteps: 10,
  localLearningRate: 0.01,
  serverLearningRate: 0.02,
  fineTuneEpochs: 2,
  fineTuneLearningRate: 0.001,
  epochs: 10,
  centralizedEpochs: 10,
  hidden: [32, 32],
  activation: 'tanh',
  learningRate: 0.01,
  batchSize: 32,
  dp: { epsilon: 8, clipNorm: 0.1, delta: 1e-5 },
  responseSurfaceRounds: 300,
  charge: { members: 16, rounds: 60 },
};

/**
 * Per scenario, the settings its own validation blocks chose where they differ from the CSTR's
 * (`crucible demo --select --scenario <name>`, seed 7; docs/simulators.md, "Demo settings per scenario").
 */
export const scenarioDefaults: Readonly<Record<DemoScenario, Partial<DemoOptions>>> = {
  cstr: {},
  debutanizer: { hidden: [64, 64], rounds: 800, epochs: 30, centralizedEpochs: 100, fineTuneEpochs: 5 },
  'williams-otto': { hidden: [64, 64], rounds: 1200, epochs: 100, centralizedEpochs: 100, fineTuneEpochs: 2 },
  eaf: { hidden: [64, 64], rounds: 800, epochs: 30, centralizedEpochs: 30, fineTuneEpochs: 2 },
};

/** What fast mode changes: small data, few rounds (under a minute end to end). */
export const fastDemoOverrides: Partial<DemoOptions> = { samples: 500, rounds: 3, localSteps: 5, epochs: 5, centralizedEpochs: 5, fineTuneEpochs: 1, hidden: [16], responseSurfaceRounds: 30, charge: { members: 2, rounds: 10 } };

/** 'federated RS' / 'local RS': the plant-adapted response surface of the optimization study, federated or on the plant's own rows (Williams–Otto study fleet). */
export type MethodName = Method | 'federated+finetune' | 'federated+dp' | 'federated RS' | 'local RS';

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
  /** Progress of a long step that is not a network round: `done` of `total` units of `what`. */
  | { type: 'progress'; what: string; done: number; total: number; label?: string }
  | { type: 'metrics'; rows: PlantMetricsRow[] }
  | { type: 'optimized'; outcome: OptimizationOutcome }
  | { type: 'charged'; outcome: ChargeOutcome }
  | { type: 'report'; path: string };

export interface DemoResult {
  dir: string;
  reportPath: string;
  prepared: PreparedPlants;
  network: NetworkResult;
  metrics: PlantMetricsRow[];
  dp?: DpOutcome;
  optimization: OptimizationOutcome;
  /** Wall time of the whole run [s]. */
  elapsedS: number;
  /** The plant-adapted response surfaces (Williams–Otto study fleet). */
  surfaces?: ResponseSurfaces;
  /** The EAF charge optimization (scenario 'eaf'). */
  charge?: ChargeOutcome;
  /** Per plant: federated MSE / local MSE and federated MSE / centralized MSE. */
  ratios: { plantId: string; federatedOverLocal: number; federatedOverCentralized: number; fineTunedOverLocal: number }[];
}

/** Runs the demo (see the file comment). */
export async function* runDemo(input: Partial<DemoOptions> = {}): AsyncGenerator<DemoEvent, DemoResult, undefined> {
  const startedMs = Date.now();
  const scenarioName = input.scenario ?? defaultDemoOptions.scenario;
  const o: DemoOptions = { ...defaultDemoOptions, ...scenarioDefaults[scenarioName], ...(input.fast ? fastDemoOverrides : {}), ...stripUndefined(input) };
  const dir = resolve(o.outDir, o.runName ?? `${o.scenario}-${o.seed}`);
  const network = { hidden: o.hidden, activation: o.activation };

  yield { type: 'step', step: 1, title: o.scenario === 'debutanizer' ? 'Splitting the debutanizer data into three plants' : `Simulating three ${o.scenario} plants (preset ${o.preset})` };
  const prepared = await preparePlants({ scenario: o.scenario, preset: o.preset, seed: o.seed, dir, samples: o.samples, debutanizerFile: o.debutanizerFile });
  yield {
    type: 'plants',
    dir: join(dir, 'plants'),
    plants: prepared.plants.map((p) => ({ plantId: p.plantId, rows: p.dataset.length, trainRows: p.split.train.rows, testRows: p.split.test.rows })),
    features: prepared.featureNote,
  };

  yield { type: 'step', step: 2, title: 'Federated training: `crucible coordinator` + three `crucible plant` processes over gRPC (mutual TLS, loopback)' };
  const widths = [prepared.inputNames.length, ...o.hidden, prepared.outputNames.length];
  const networkResult = yield* federateOverNetwork(prepared.plants, {
    dir: join(dir, 'federation'),
    model: { widths, activation: o.activation, seed: o.seed },
    rounds: o.rounds,
    seed: o.seed,
    serverLearningRate: o.serverLearningRate,
    training: { epochs: 1, maxSteps: o.localSteps, batchSize: o.batchSize, learningRate: o.localLearningRate, optimizer: 'sgd' },
  });
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
  yield { type: 'trained', method: `federated+finetune (${o.fineTuneEpochs} epoch${o.fineTuneEpochs === 1 ? '' : 's'} per plant)` };

  yield { type: 'step', step: 3, title: 'Local-only and centralized models for comparison' };
  const trainings = prepared.plants.length + 1;
  const compare = yield* drain<DemoEvent, { local: Record<string, ProcessModel>; centralized?: ProcessModel; scaling: ProcessModel['scaling'] }>(async (emit) => {
    let done = 0;
    emit({ type: 'progress', what: 'models', done, total: trainings, label: 'training' });
    // One model per call, yielding to the event loop between them, so the bar moves as each finishes.
    const train = async (plants: PlantSplit[], method: 'local' | 'centralized', epochs: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      return compareTraining(plants, {
        inputNames: prepared.inputNames,
        outputNames: prepared.outputNames,
        network,
        methods: [method],
        central: { epochs, batchSize: o.batchSize, learningRate: o.learningRate },
        seed: o.seed,
        onProgress: (label) => emit({ type: 'progress', what: 'models', done: ++done, total: trainings, label }),
      });
    };
    const local: Record<string, ProcessModel> = {};
    for (const p of prepared.plants) local[p.plantId] = (await train([p.data], 'local', o.epochs)).local[p.plantId];
    const pooled = await train(prepared.plants.map((p) => p.data), 'centralized', o.centralizedEpochs);
    return { local, centralized: pooled.centralized, scaling: pooled.scaling };
  });

  // The Williams–Otto study fleet: also the optimization study's plant-adapted response surface (in memory).
  let surfaces: ResponseSurfaces | undefined;
  if (prepared.fleet === 'same-process') {
    surfaces = yield* drain<DemoEvent, ResponseSurfaces>((emit) =>
      trainResponseSurfaces(prepared, { rounds: o.responseSurfaceRounds, seed: o.seed, onProgress: (done, total, label) => emit({ type: 'progress', what: 'response surfaces', done, total, label }) }),
    );
    yield { type: 'trained', method: `federated RS and local RS (plant-adapted cubic response surfaces, ${o.responseSurfaceRounds} rounds, in memory${surfaces.secureAggregation ? ' with SecAgg+' : ''})` };
  }

  let dp: DpOutcome | undefined;
  if (o.dp !== false) {
    const noiseMultiplier = noiseMultiplierFor(o.dp.epsilon, o.dp.delta, o.rounds);
    yield { type: 'step', step: 4, title: `Federated + plant-level DP, in memory: ε = ${o.dp.epsilon} at δ = ${o.dp.delta} over ${o.rounds} rounds → z = ${noiseMultiplier.toFixed(2)}, C = ${o.dp.clipNorm}` };
    const settings = o.dp;
    dp = yield* drain<DemoEvent, DpOutcome>((emit) =>
      federatedWithDp(prepared, {
        noiseMultiplier, clipNorm: settings.clipNorm, delta: settings.delta, rounds: o.rounds, localSteps: o.localSteps, localLearningRate: o.localLearningRate, serverLearningRate: o.serverLearningRate,
        seed: o.seed, network, batchSize: o.batchSize, onRound: (r) => emit({ type: 'progress', what: 'DP rounds', done: r, total: o.rounds }),
      }),
    );
  }

  const metrics: PlantMetricsRow[] = [];
  for (const p of prepared.plants) {
    const models: [MethodName, ProcessSurrogate | undefined][] = [
      ['local', compare.local[p.plantId]],
      ['federated', federated],
      ['federated+finetune', personalized[p.plantId]],
      ['centralized', compare.centralized],
      ['federated+dp', dp?.model],
      ['local RS', surfaces?.local[p.plantId]],
      ['federated RS', surfaces?.federated[p.plantId]],
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

  let charge: ChargeOutcome | undefined;
  if (prepared.scenario === 'eaf') {
    yield { type: 'step', step: 5, title: 'Charge optimization with the federated and local-only charge models, scored on the true simulator' };
    charge = yield* drain<DemoEvent, ChargeOutcome>((emit) =>
      optimizeCharges(prepared, { seed: o.seed, ...o.charge, onProgress: (done, total, label) => emit({ type: 'progress', what: 'charge fits and optimizations', done, total, label }) }),
    );
    yield { type: 'charged', outcome: charge };
  } else yield { type: 'step', step: 5, title: 'Setpoint optimization with each model, scored on the true simulator' };
  const optimization = yield* drain<DemoEvent, OptimizationOutcome>((emit) =>
    optimizePlants(
      prepared,
      {
        local: (id) => compare.local[id],
        federated: () => federated,
        'federated+finetune': (id) => personalized[id],
        centralized: () => compare.centralized,
        ...(surfaces === undefined ? {} : { 'local RS': (id: string) => surfaces.local[id], 'federated RS': (id: string) => surfaces.federated[id] }),
      },
      { seed: o.seed, onProgress: (done, total, label) => emit({ type: 'progress', what: 'optimizations', done, total, label }) },
    ),
  );
  yield { type: 'optimized', outcome: optimization };

  yield { type: 'step', step: 6, title: 'Report' };
  const reportPath = await writeDemoReport(dir, {
    options: o, prepared, network: networkResult, metrics, ratios, dp, optimization, surfaces, charge,
    models: { local: compare.local, federated, personalized, centralized: compare.centralized, dp: dp?.model },
  });
  yield { type: 'report', path: reportPath };
  return { dir, reportPath, prepared, network: networkResult, metrics, dp, optimization, surfaces, charge, ratios, elapsedS: (Date.now() - startedMs) / 1000 };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
