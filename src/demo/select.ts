/**
 * How the demo's settings are chosen: on VALIDATION blocks, never the test blocks. Each plant's
 * training block is cut by time into its first three quarters (training) and last quarter
 * (validation); every candidate setting is trained on the first parts — in memory, with the same
 * round loop, plant pipeline and FedAdam strategy as the network run — and scored on the validation
 * parts. `crucible demo --select` prints the table; the chosen values are the demo's defaults
 * (docs/simulators.md records the table for seed 7).
 *
 * @example
 * const report = await selectDemoSettings(prepared, { seed: 7, onProgress: (done, total) => bar.update(done) });
 * report.chosen.federatedRounds;
 */
import type { ActivationName } from '../nn/activation.js';
import { Mlp } from '../nn/mlp.js';
import { ProcessModel } from '../nn/process-model.js';
import { fedAdam } from '../federation/strategies/index.js';
import { compareTraining, scalingOf } from '../study/compare.js';
import { fineTune } from './personalize.js';
import type { PreparedPlants } from './plants.js';
import { scoreModel } from './score.js';

export interface SelectionOptions {
  seed: number;
  activation?: ActivationName;
  /** Hidden widths tried. Default [[32, 32], [64, 64]]. */
  hidden?: number[][];
  /** Epochs tried for the local-only and centralized models. Default [5, 10, 30, 100]. */
  epochs?: number[];
  /** Federated rounds at which the global model is scored (one run to the largest). Default [100, 200, 400, 800]. */
  rounds?: number[];
  /** Fine-tuning epochs tried on the chosen federated model. Default [1, 2, 5]. */
  fineTuneEpochs?: number[];
  localSteps?: number;
  localLearningRate?: number;
  serverLearningRate?: number;
  learningRate?: number;
  fineTuneLearningRate?: number;
  batchSize?: number;
  /** Called after each trained candidate (done of total). */
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface SelectionRow {
  method: 'local' | 'centralized' | 'federated' | 'federated+finetune';
  hidden: number[];
  /** Epochs (local, centralized, fine-tuning) or rounds (federated). */
  setting: number;
  /** Validation MSE per plant (standardised targets), and their mean. */
  perPlant: Record<string, number>;
  mean: number;
}

export interface SelectionReport {
  rows: SelectionRow[];
  chosen: { hidden: number[]; federatedRounds: number; localEpochs: number; centralizedEpochs: number; fineTuneEpochs: number };
}

/**
 * Candidates beyond the defaults, per plant set: on the Williams–Otto study fleet the federated
 * model was still improving at 800 rounds and the local-only ones at 100 epochs, so the grid
 * reaches further (1600 rounds, 300 epochs).
 */
export function selectionCandidates(prepared: Pick<PreparedPlants, 'fleet'>): Pick<SelectionOptions, 'rounds' | 'epochs'> {
  return prepared.fleet === 'same-process' ? { rounds: [200, 400, 800, 1200, 1600], epochs: [10, 30, 100, 300] } : {};
}

/** Trains and scores every candidate on the validation blocks (see the file comment). */
export async function selectDemoSettings(prepared: PreparedPlants, options: SelectionOptions): Promise<SelectionReport> {
  const o = {
    activation: 'tanh' as ActivationName, hidden: [[32, 32], [64, 64]], epochs: [5, 10, 30, 100], rounds: [100, 200, 400, 800], fineTuneEpochs: [1, 2, 5],
    localSteps: 10, localLearningRate: 0.01, serverLearningRate: 0.02, learningRate: 0.01, fineTuneLearningRate: 0.001, batchSize: 32, ...selectionCandidates(prepared), ...options,
  };
  const plants = prepared.plants.map((p) => p.validation);
  const scaling = scalingOf(plants.map((p) => p.train));
  const total = o.hidden.length * (o.epochs.length + 1) + o.fineTuneEpochs.length;
  let done = 0;
  const tick = (label: string): void => o.onProgress?.(++done, total, label);
  const rows: SelectionRow[] = [];
  const scoreRow = (method: SelectionRow['method'], hidden: number[], setting: number, modelOf: (plantId: string) => ProcessModel): SelectionRow => {
    const perPlant = Object.fromEntries(plants.map((p) => [p.plantId, scoreModel(modelOf(p.plantId), p.test, scaling).mse]));
    const values = Object.values(perPlant);
    const row = { method, hidden, setting, perPlant, mean: values.reduce((a, b) => a + b, 0) / values.length };
    rows.push(row);
    return row;
  };
  const common = { inputNames: prepared.inputNames, outputNames: prepared.outputNames, seed: o.seed };
  const federatedModels = new Map<string, ProcessModel>();

  for (const hidden of o.hidden) {
    const network = { hidden, activation: o.activation };
    for (const epochs of o.epochs) {
      const r = await compareTraining(plants, { ...common, network, methods: ['local', 'centralized'], central: { epochs, batchSize: o.batchSize, learningRate: o.learningRate } });
      scoreRow('local', hidden, epochs, (id) => r.local[id]);
      scoreRow('centralized', hidden, epochs, () => r.centralized!);
      tick(`local + centralized, ${hidden.join('×')}, ${epochs} epochs`);
    }
    const checkpoints = new Map<number, Float64Array>();
    const last = Math.max(...o.rounds);
    const fed = await compareTraining(plants, {
      ...common, network, methods: ['federated'],
      federated: { rounds: last, localEpochs: 1, maxSteps: o.localSteps, optimizer: 'sgd', learningRate: o.localLearningRate, batchSize: o.batchSize, strategy: fedAdam({ serverLearningRate: o.serverLearningRate }) },
      onRound: (round) => {
        if (o.rounds.includes(round.round)) checkpoints.set(round.round, round.globalParameters.slice());
      },
    });
    for (const rounds of o.rounds) {
      const net = new Mlp({ widths: [prepared.inputNames.length, ...hidden, prepared.outputNames.length], activation: o.activation, seed: o.seed });
      net.parameters.set(checkpoints.get(rounds)!);
      const model = new ProcessModel(net, { inputNames: prepared.inputNames, outputNames: prepared.outputNames, scaling: fed.scaling, provenance: { method: 'federated', rounds } });
      federatedModels.set(`${hidden.join('×')}@${rounds}`, model);
      scoreRow('federated', hidden, rounds, () => model);
    }
    tick(`federated, ${hidden.join('×')}, ${last} rounds`);
  }

  const best = (method: SelectionRow['method']): SelectionRow => rows.filter((r) => r.method === method).reduce((a, b) => (b.mean < a.mean ? b : a));
  const federated = best('federated');
  const chosenModel = federatedModels.get(`${federated.hidden.join('×')}@${federated.setting}`)!;
  // Local-only and centralized models use the deployed (federated) architecture and their own best epochs on it.
  const bestOn = (method: 'local' | 'centralized'): SelectionRow =>
    rows.filter((r) => r.method === method && r.hidden.join() === federated.hidden.join()).reduce((a, b) => (b.mean < a.mean ? b : a));
  for (const epochs of o.fineTuneEpochs) {
    scoreRow('federated+finetune', federated.hidden, epochs, (id) =>
      fineTune(chosenModel, plants.find((p) => p.plantId === id)!.train, { epochs, learningRate: o.fineTuneLearningRate, batchSize: o.batchSize, seed: o.seed }),
    );
    tick(`fine-tuning, ${epochs} epochs`);
  }
  return {
    rows,
    chosen: {
      hidden: federated.hidden,
      federatedRounds: federated.setting,
      localEpochs: bestOn('local').setting,
      centralizedEpochs: bestOn('centralized').setting,
      fineTuneEpochs: best('federated+finetune').setting,
    },
  };
}
