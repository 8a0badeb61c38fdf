/**
 * The cumene experiment after Esders et al. (2024): simulate steady states over randomized operating
 * points, train one surrogate per unit (locally, or federated across plants that each keep their own
 * data), evaluate every tear solver on held-out operating points, fine-tune through the unrolled
 * solver, evaluate again. Pure: progress goes to a callback, the table is returned as data and as text.
 *
 * @example
 * const result = await runCumeneExperiment(fastCumeneExperiment);
 * console.log(formatExperimentTable(result));
 */
import type { TearMethod } from './solvers.js';
import { tearMethods } from './solvers.js';
import { generateCumeneData, type FlowsheetData } from './cumene/data.js';
import { cumeneFlowsheetSpec, tightRecycleWindow } from './cumene/process.js';
import { type FlowsheetEvaluation, evaluateSurrogateFlowsheet } from './evaluate.js';
import { fineTuneFederated, trainSurrogatesFederated } from './federated.js';
import { fineTune } from './finetune.js';
import { Flowsheet } from './flowsheet.js';
import { SurrogateFlowsheet } from './surrogate-flowsheet.js';

export interface CumeneExperimentOptions {
  /** Operating points of training data (per plant when federated). */
  trainCases: number;
  /** Held-out operating points. */
  testCases: number;
  /** Spread of operating points around nominal (see `sampleCumeneConditions`). */
  spread: number | 'uniform';
  /** 'tight-recycle' shifts the window to a higher recycle ratio (`tightRecycleWindow`). Default 'nominal'. */
  scenario?: 'nominal' | 'tight-recycle';
  seed: number;
  /** Hidden widths, epochs and learning rate of the unit surrogates. */
  surrogate: { hidden: number[]; epochs: number; lr: number };
  /** Fine-tuning steps, unroll limit, noise and single-unit loss weight. */
  fineTune: { steps: number; maxUnroll: number; noise: number; unitLossWeight: number; lr: number; batchSize: number };
  /** Solver limits of the evaluation. */
  evaluation: { maxIterations: number; tolerance: number; methods: readonly TearMethod[] };
  /** With more than one plant, unit surrogates are trained by FedAvg and fine-tuned by FedAvg rounds (each plant runs steps/fineTuneRounds steps per round). */
  federation?: { plants: number; rounds: number; localEpochs: number; fineTuneRounds: number };
}

/** The settings of `crucible flowsheet evaluate` (a few minutes on two cores). */
export const fullCumeneExperiment: CumeneExperimentOptions = {
  trainCases: 300,
  testCases: 200,
  spread: 0.3,
  scenario: 'tight-recycle',
  seed: 1,
  surrogate: { hidden: [24, 24], epochs: 400, lr: 1e-2 },
  fineTune: { steps: 800, maxUnroll: 10, noise: 1, unitLossWeight: 3, lr: 1e-3, batchSize: 32 },
  evaluation: { maxIterations: 100, tolerance: 1e-6, methods: tearMethods },
};

/** A small variant for tests (well under a minute). */
export const fastCumeneExperiment: CumeneExperimentOptions = {
  ...fullCumeneExperiment,
  trainCases: 120,
  testCases: 40,
  surrogate: { hidden: [16], epochs: 150, lr: 1e-2 },
  fineTune: { ...fullCumeneExperiment.fineTune, steps: 300 },
};

export interface CumeneExperimentResult {
  readonly options: CumeneExperimentOptions;
  readonly before: FlowsheetEvaluation;
  readonly after: FlowsheetEvaluation;
  readonly timingsMs: Record<string, number>;
}

/** Runs the whole experiment; `onProgress` hears each stage as it starts. */
export async function runCumeneExperiment(options: CumeneExperimentOptions, onProgress: (stage: string) => void = () => {}): Promise<CumeneExperimentResult> {
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(stage: string, fn: () => T | Promise<T>): Promise<T> => {
    onProgress(stage);
    const start = Date.now();
    const out = await fn();
    timingsMs[stage] = Date.now() - start;
    return out;
  };
  const flowsheet = Flowsheet.from(cumeneFlowsheetSpec, 'cumene');
  const plantCount = options.federation?.plants ?? 1;
  const window = options.scenario === 'tight-recycle' ? tightRecycleWindow : undefined;
  const plantData: FlowsheetData[] = await timed('simulate', () =>
    Array.from({ length: plantCount }, (_, p) => generateCumeneData({ cases: options.trainCases, seed: options.seed * 100 + p, spread: options.spread, window })),
  );
  const test = generateCumeneData({ cases: options.testCases, seed: options.seed * 100 + 99, spread: options.spread, window });
  const plants = plantData.map((data, p) => ({ plantId: `plant-${p}`, data }));
  const sf = await timed('train units', () =>
    options.federation === undefined || plantCount === 1
      ? SurrogateFlowsheet.train(flowsheet, plantData[0], { ...options.surrogate, seed: options.seed })
      : trainSurrogatesFederated(flowsheet, plants, { hidden: options.surrogate.hidden, lr: options.surrogate.lr / 2, rounds: options.federation.rounds, localEpochs: options.federation.localEpochs, seed: options.seed }),
  );
  const evaluation = { ...options.evaluation };
  const before = await timed('evaluate before', () => evaluateSurrogateFlowsheet(sf, test, evaluation));
  const ft = { ...options.fineTune, seed: options.seed };
  await timed('fine-tune', () =>
    options.federation === undefined || plantCount === 1
      ? fineTune(sf, plantData[0], ft)
      : fineTuneFederated(sf, plants, { ...ft, steps: Math.ceil(ft.steps / options.federation.fineTuneRounds), rounds: options.federation.fineTuneRounds }),
  );
  const after = await timed('evaluate after', () => evaluateSurrogateFlowsheet(sf, test, evaluation));
  return { options, before, after, timingsMs };
}

/** One row per solver: convergence and product R² before → after fine-tuning. */
export interface SolverRow {
  readonly method: TearMethod;
  readonly convergedBefore: number;
  readonly convergedAfter: number;
  readonly divergedBefore: number;
  readonly r2Before: Record<string, number>;
  readonly r2After: Record<string, number>;
}

export function solverRows(result: CumeneExperimentResult): SolverRow[] {
  return result.before.solvers.map((b, i) => {
    const a = result.after.solvers[i];
    return { method: b.method, convergedBefore: b.convergedFraction, convergedAfter: a.convergedFraction, divergedBefore: b.divergedFraction, r2Before: b.productR2, r2After: a.productR2 };
  });
}

/** The largest drop of any unit's single-unit R² through fine-tuning. */
export function worstUnitR2Drop(result: CumeneExperimentResult): { unit: string; drop: number } {
  let worst = { unit: '', drop: -Infinity };
  for (const [unit, r2] of Object.entries(result.before.unitR2)) {
    const drop = r2 - result.after.unitR2[unit];
    if (drop > worst.drop) worst = { unit, drop };
  }
  return worst;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const r2 = (v: number): string => (Number.isNaN(v) ? '   —  ' : v.toFixed(4));

/** The result as a plain-text table (what the CLI prints). */
export function formatExperimentTable(result: CumeneExperimentResult): string {
  const products = Object.keys(result.before.solvers[0]?.productR2 ?? {});
  const lines: string[] = [];
  const o = result.options;
  lines.push(`cumene flowsheet, ${o.testCases} held-out operating points; solver cap ${o.evaluation.maxIterations} iterations, tolerance ${o.evaluation.tolerance} (scaled)`);
  lines.push(`scenario: ${o.scenario ?? 'nominal'}; training: ${o.federation && o.federation.plants > 1 ? `${o.federation.plants} plants × ` : ''}${o.trainCases} operating points, spread ${o.spread}; MLP hidden [${o.surrogate.hidden}]`);
  lines.push('');
  lines.push(['solver    ', 'converged before → after', 'diverged before', ...products.map((p) => `R² ${p} before → after`)].join(' | '));
  for (const row of solverRows(result)) {
    lines.push([
      row.method.padEnd(10),
      `${pct(row.convergedBefore).padStart(8)} → ${pct(row.convergedAfter).padEnd(13)}`,
      pct(row.divergedBefore).padStart(15),
      ...products.map((p) => `${r2(row.r2Before[p])} → ${r2(row.r2After[p])}`.padEnd(p.length + 20)),
    ].join(' | '));
  }
  lines.push('');
  lines.push('unit  | single-unit R² before → after');
  for (const [unit, before] of Object.entries(result.before.unitR2)) {
    lines.push(`${unit.padEnd(5)} | ${r2(before)} → ${r2(result.after.unitR2[unit])}`);
  }
  const worst = worstUnitR2Drop(result);
  lines.push(`largest single-unit R² drop: ${worst.drop.toFixed(4)} (${worst.unit})`);
  return lines.join('\n');
}
