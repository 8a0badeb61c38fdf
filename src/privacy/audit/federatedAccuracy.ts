/**
 * What privacy costs in accuracy, on a simulated 3-plant federation (the second half of
 * `crucible audit`): the same plants, data, model, seeds and rounds trained
 *
 * - in the clear (plain FedAvg),
 * - under SecAgg+ — which must end where plain FedAvg ends, to quantization error (the released
 *   model is the same function of the plants' data; only how updates travel differs), and
 * - under client-level DP-FedAvg composed with SecAgg+ (plants clip before masking, the coordinator
 *   noises the sum) at several ε over the whole run (δ fixed, RDP accountant, noise multiplier
 *   calibrated to each ε) — the accuracy/ε trade-off curve.
 *
 * Accuracy is the example-weighted RMSE on the plants' own held-out records after the last round.
 * Three plants is the hard case for client-level DP: the noise on the mean is z·C/3 per round.
 * Everything is seeded: the same options give the same table.
 *
 * @example
 * const report = await federatedAccuracy({ epsilons: [16, 4, 1] });
 * console.log(formatAccuracyReport(report));
 */
import { InMemoryGrid } from '../../federation/in-memory-grid.js';
import { createPlant, type PlantMiddleware } from '../../federation/plant.js';
import type { RoundResult } from '../../federation/round-result.js';
import { type FederationOptions, runFederation } from '../../federation/run.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import type { Strategy } from '../../federation/strategy.js';
import { type LinearPlantSpec, linearPlants } from '../../federation/synthetic.js';
import { Mlp } from '../../nn/mlp.js';
import { Rng } from '../../tensor/rng.js';
import { RdpAccountant } from '../dp/accountant.js';
import { noiseMultiplierForEpsilon } from '../dp/calibrate.js';
import { dpFedAvg } from '../dp/dpFedAvg.js';
import { dpFromTask } from '../dp/dpFromTask.js';
import { seededEntropy } from '../secagg/entropy.js';
import { secureFitCollector } from '../secagg/fitCollector.js';
import { secureAggregationPlant } from '../secagg/plantMiddleware.js';

export interface AccuracyOptions {
  /** Seed of data, models, masks and noise. Default 1. */
  seed?: number;
  /** Federated rounds of every arm. Default 20. */
  rounds?: number;
  /** ε over the whole run of the DP rows. Default [32, 16, 8, 4, 2, 1]. */
  epsilons?: readonly number[];
  /** δ of the DP rows. Default 1e-5. */
  delta?: number;
  /** L2 clip norm of a plant's update under DP. Default 0.3. */
  clipNorm?: number;
}

export interface AccuracyRow {
  readonly setting: string;
  /** ε spent over the run (∞ without DP). */
  readonly epsilon: number;
  readonly noiseMultiplier: number | null;
  /** Example-weighted RMSE on the plants' held-out records after the last round. */
  readonly heldOutRmse: number;
  /** Largest |parameter − plain FedAvg's parameter| of the final model. */
  readonly parameterGapToPlain: number;
}

export interface AccuracyReport {
  readonly plants: number;
  readonly rounds: number;
  readonly delta: number;
  readonly clipNorm: number;
  readonly rows: AccuracyRow[];
}

/** Three plants of one linear process, each with its own operating window and a slightly different gain. */
const SPECS: LinearPlantSpec[] = [0, 1, 2].map((p) => ({
  rows: 200, featureStd: [1, 1, 1], featureMean: [0.3 * p, 0, -0.2 * p], weights: [1, -0.5 + 0.1 * p, 0.3], bias: 0.2, noiseStd: 0.1,
}));

async function train(options: Required<AccuracyOptions>, arm: { strategy: Strategy; secure: boolean; dp: boolean }): Promise<RoundResult> {
  const data = linearPlants(SPECS, { seed: options.seed });
  const model = () => new Mlp({ widths: [SPECS[0].featureStd.length, 1], seed: options.seed });
  const middleware = (plantId: string): PlantMiddleware[] => [
    ...(arm.secure ? [secureAggregationPlant({ entropy: seededEntropy(`accuracy/${options.seed}/${plantId}`) })] : []),
    ...(arm.dp ? [dpFromTask()] : []),
  ];
  const grid = new InMemoryGrid(data.map((d, p) => createPlant({ plantId: `plant-${p}`, data: d, model, validationFraction: 0.25, splitSeed: p, middleware: middleware(`plant-${p}`) })));
  const federation: FederationOptions = {
    runId: 'accuracy', rounds: options.rounds, seed: options.seed, initialParameters: model().parameters.get(),
    training: { epochs: 1, batchSize: 20, learningRate: 0.05, optimizer: 'sgd' },
    minPlants: SPECS.length, timeouts: { waitForPlantsMs: 5000, fitMs: 30_000, evaluateMs: 30_000 }, evaluateEvery: options.rounds,
    // exampleCap above every plant's rows: the secure weights are exactly FedAvg's sample weights.
    collectFit: arm.secure ? secureFitCollector({ clipRange: 4, exampleCap: arm.dp ? undefined : 1000, entropy: seededEntropy(`accuracy/${options.seed}`) }) : undefined,
  };
  let last: RoundResult | undefined;
  for await (const r of runFederation(grid, arm.strategy, federation)) last = r;
  return last!;
}

export async function federatedAccuracy(options: AccuracyOptions = {}): Promise<AccuracyReport> {
  const o: Required<AccuracyOptions> = {
    seed: options.seed ?? 1, rounds: options.rounds ?? 20, epsilons: options.epsilons ?? [32, 16, 8, 4, 2, 1],
    delta: options.delta ?? 1e-5, clipNorm: options.clipNorm ?? 0.3,
  };
  const plain = await train(o, { strategy: fedAvg(), secure: false, dp: false });
  const gap = (r: RoundResult) => Math.max(...Array.from(r.globalParameters, (v, i) => Math.abs(v - plain.globalParameters[i])));
  const row = (setting: string, r: RoundResult, epsilon: number, noiseMultiplier: number | null): AccuracyRow => ({
    setting, epsilon, noiseMultiplier, heldOutRmse: r.evaluation!.weighted.rmse, parameterGapToPlain: gap(r),
  });
  const rows = [row('plain FedAvg', plain, Infinity, null)];
  rows.push(row('SecAgg+', await train(o, { strategy: fedAvg(), secure: true, dp: false }), Infinity, null));
  for (const target of o.epsilons) {
    const z = noiseMultiplierForEpsilon(target, o.delta, { steps: o.rounds });
    const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: z, clipping: { kind: 'fixed', clipNorm: o.clipNorm }, noise: (round) => new Rng(o.seed * 1000 + round) });
    const spent = new RdpAccountant().compose({ noiseMultiplier: z, samplingRate: 1, steps: o.rounds }).epsilon(o.delta);
    rows.push(row('DP-FedAvg + SecAgg+', await train(o, { strategy, secure: true, dp: true }), spent, z));
  }
  return { plants: SPECS.length, rounds: o.rounds, delta: o.delta, clipNorm: o.clipNorm, rows };
}

/** The report as a Markdown table. */
export function formatAccuracyReport(report: AccuracyReport): string {
  return [
    `## Federated accuracy under SecAgg and DP (${report.plants} simulated plants, ${report.rounds} rounds, clip ${report.clipNorm}, δ = ${report.delta.toExponential(0)})`,
    '',
    '| setting | ε (whole run) | noise z | held-out RMSE | largest parameter gap to plain FedAvg |',
    '|---|---|---|---|---|',
    ...report.rows.map((r) =>
      `| ${r.setting} | ${Number.isFinite(r.epsilon) ? r.epsilon.toFixed(2) : '∞'} | ${r.noiseMultiplier === null ? '–' : r.noiseMultiplier.toFixed(3)} | ${r.heldOutRmse.toFixed(4)} | ${r.parameterGapToPlain.toExponential(2)} |`,
    ),
  ].join('\n');
}
