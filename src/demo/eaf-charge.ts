/**
 * Step 5 of the EAF demo: the charge optimization of the EAF study (docs/optimization.md, "EAF:
 * charge optimization on a learned model") on the demo's own shops and heats. The mass-balance
 * charge model is fitted to each shop's training block — federated over the three shops
 * (`federatedEafFit`: alternating least squares over summed normal equations, 16 bootstrap
 * members, the grades' spec sheet as a prior on Cu, Sn, Ni, Mo) and, for comparison, on each shop's
 * heats alone. Each shop then gets the least-cost charge for the study's rebar spec (tap weight 90 %
 * of its usual charge) under chance constraints at 97.5 % (`eafChargeProblem`, `optimizeCharge`),
 * scored on its TRUE simulator (`scoreOnTruth`): the tap chemistry against the spec and the cost
 * against the exact LP optimum for the same tapped steel.
 *
 * The fit runs in memory with a plain summation of the normal equations (see `chargeSummationNote`).
 *
 * @example
 * const outcome = await optimizeCharges(prepared, { seed: 7 });
 * chargeSummary(outcome); // ['federated: cost gap vs the exact optimum 2.07–3.12 %; …', …]
 */
import type { EafPlantConfig } from '../process/eaf/heatLog.js';
import type { EafSpec } from '../process/eaf/optimalCharge.js';
import type { SimulatedPlant } from '../process/scenario.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantSplit } from '../study/compare.js';
import { eafChargeColumns } from '../study/eaf-charge-model.js';
import { obsoleteScrapGrades } from '../study/eaf-charge.js';
import { fitEafMethods, referenceContentPrior, scoreCharge, studySpec, type EafStudyMethod, type EafStudyRow } from '../study/eaf-charge-study.js';
import type { PreparedPlants } from './plants.js';

export interface ChargeRow extends Omit<EafStudyRow, 'seed'> {
  /** The spec as a shop would write it (percent by mass). */
  specText: string;
}

export interface ChargeOutcome {
  rows: ChargeRow[];
  /** What was optimized and how, in words. */
  description: string;
  /** How the shops' normal equations were summed. */
  summation: string;
  settings: { members: number; rounds: number; confidence: number };
}

export interface ChargeOptions {
  seed: number;
  /** Bootstrap members of the model. Default 16 (the study's). */
  members?: number;
  /** Alternating least-squares rounds. Default 60 (the study's). */
  rounds?: number;
  /** Probability every chemistry limit and the tap weight are held with. Default 0.975 (chosen on the study's validation fleet). */
  confidence?: number;
  /** Called after each fit and each scored charge (done of total). */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** Why the normal equations are summed in the clear: secure aggregation's fixed point cannot carry them. */
export const chargeSummationNote =
  "plain sum in memory, not secure aggregation: its codec has one 31-bit word per coordinate and one fixed-point scale per array, and a shop's Gram matrix spans 1e-8 to 4e10 " +
  '(tonnes² of scrap next to products of Sn contents); at one range per array about 30 % of its nonzero entries would carry more than 0.1 % quantization error (seed 7)';

/** Fits, optimizes and scores the charges (see the file comment). */
export async function optimizeCharges(prepared: PreparedPlants, options: ChargeOptions): Promise<ChargeOutcome> {
  const configs = prepared.plants.map((p) => {
    if (p.simulated === undefined) throw new RangeError(`demo: EAF plant '${p.plantId}' has no simulator to score against`);
    return (p.simulated as SimulatedPlant<'eaf'>).config as EafPlantConfig;
  });
  const materials = configs[0].plant.materials.map((m) => m.id);
  const splits = prepared.plants.map((p) => chargeSplit(p.plantId, p.dataset.columns, p.split.split, materials));
  const members = options.members ?? 16;
  const rounds = options.rounds ?? 60;
  const confidence = options.confidence ?? 0.975;
  const fitOptions = { materials, obsolete: obsoleteScrapGrades, seed: options.seed, members, rounds, prior: referenceContentPrior(materials) };
  const total = 1 + splits.length + 2 * splits.length;
  let done = 0;
  const tick = async (label: string): Promise<void> => {
    options.onProgress?.(++done, total, label);
    await new Promise((resolve) => setImmediate(resolve));
  };
  options.onProgress?.(0, total, 'federated fit');
  const { models } = await fitEafMethods(splits, fitOptions, new Set(['federated', 'local'] as const), (label) => tick(label === 'federated' ? 'federated fit' : label.replace('local', 'local fit')));
  const rows: ChargeRow[] = [];
  for (const c of configs) {
    const spec: EafSpec = { ...studySpec, steelT: Math.round(0.9 * c.chargeT) };
    for (const method of ['federated', 'local'] as const) {
      const { seed: _seed, ...row } = await scoreCharge(options.seed, c.plant.plantId, method, c.plant, spec, models[method]![c.plant.plantId], confidence);
      rows.push({
        ...row,
        violations: row.violations.map(tidyNumbers),
        ...(row.infeasibleConstraint === undefined ? {} : { infeasibleConstraint: tidyNumbers(row.infeasibleConstraint) }),
        specText: specText(spec),
      });
      await tick(`${c.plant.plantId} ${method}`);
    }
  }
  return {
    rows,
    summation: chargeSummationNote,
    settings: { members, rounds, confidence },
    description:
      `The charge model (mass balance with shared grade contents, yields and melting energies; each shop's recoveries, scrap quality, yield factor, efficiency and practice local) is fitted on each shop's training block, ` +
      `federated over the three shops (${rounds} alternating least-squares rounds, ${members} bootstrap members, the grades' spec sheet as a prior on Cu, Sn, Ni, Mo) and on each shop's heats alone. ` +
      `Each shop gets the least-cost charge for ${specText({ ...studySpec, steelT: 0 }).replace(/, 0 t/, '')} and 90 % of its usual charge as tapped steel, every limit held with probability ${confidence} under the model's spread (sequential LP); ` +
      'it is scored on the shop\'s true simulator: the tap chemistry against the spec, and the cost against the exact LP optimum for the same tapped steel.',
  };
}

/** A shop's heats as charge-model tensors, split into the demo's own training and test blocks. */
function chargeSplit(plantId: string, columns: Readonly<Record<string, Float64Array>>, blocks: { train: { start: number; end: number }; test: { start: number; end: number } }, materials: readonly string[]): PlantSplit {
  const { inputs, outputs } = eafChargeColumns(materials);
  for (const c of [...inputs, ...outputs]) {
    if (columns[c] === undefined) throw new RangeError(`demo: EAF plant '${plantId}' has no column '${c}' for the charge model (has ${Object.keys(columns).join(', ')})`);
  }
  const table = (cols: readonly string[], lo: number, hi: number): Tensor => {
    const t = new Tensor(hi - lo, cols.length);
    for (let i = lo; i < hi; i++) cols.forEach((c, j) => (t.data[(i - lo) * cols.length + j] = columns[c][i]));
    return t;
  };
  const b = blocks;
  return {
    plantId,
    train: { x: table(inputs, b.train.start, b.train.end), y: table(outputs, b.train.start, b.train.end) },
    test: { x: table(inputs, b.test.start, b.test.end), y: table(outputs, b.test.start, b.test.end) },
  };
}

/** Limits computed as 100 × a mass fraction print as 0.018000000000000002: six significant digits are plenty. */
function tidyNumbers(text: string): string {
  return text.replace(/\d+\.\d{7,}/g, (m) => String(Number(Number(m).toPrecision(6))));
}

function specText(spec: EafSpec): string {
  const limits = Object.entries(spec.elements ?? {}).map(([e, b]) => {
    const pct = (v: number): string => `${Number((100 * v).toPrecision(3))} %`;
    return b.min !== undefined && b.max !== undefined ? `${pct(b.min)} ≤ ${e} ≤ ${pct(b.max)}` : b.max !== undefined ? `${e} ≤ ${pct(b.max)}` : `${e} ≥ ${pct(b.min!)}`;
  });
  return `${limits.join(', ')}, ${spec.steelT} t`;
}

/** Per method: cost gaps on the truth, how often the spec is met, and at how many shops the federated charge beats the local-only one. */
export function chargeSummary(outcome: ChargeOutcome): string[] {
  const out: string[] = [];
  for (const method of ['federated', 'local'] as const) {
    const mine = outcome.rows.filter((r) => r.method === method);
    const gaps = mine.filter((r) => r.status === 'recommended').map((r) => r.costGapPercent);
    const met = mine.filter((r) => r.status === 'recommended' && r.violations.length === 0).length;
    const within = mine.filter((r) => r.status === 'recommended' && r.violations.length === 0 && r.costGapPercent <= 2).length;
    out.push(
      `${method}: cost gap vs the exact optimum ${gaps.length > 0 ? `${Math.min(...gaps).toFixed(2)}–${Math.max(...gaps).toFixed(2)} %` : 'none'}; spec met on the truth at ${met} of ${mine.length} shops; ` +
        `within 2 % with the spec met at ${within} of ${mine.length}${mine.length - gaps.length > 0 ? `; no feasible charge at ${mine.length - gaps.length}` : ''}`,
    );
  }
  const score = (plantId: string, method: string): number => {
    const r = outcome.rows.find((x) => x.plantId === plantId && x.method === method);
    return r === undefined || r.status === 'infeasible' || r.violations.length > 0 ? Infinity : r.costGapPercent;
  };
  const shops = [...new Set(outcome.rows.map((r) => r.plantId))];
  out.push(`federated charge better than local-only (lower cost gap, spec met) at ${shops.filter((p) => score(p, 'federated') < score(p, 'local')).length} of ${shops.length} shops`);
  return out;
}
