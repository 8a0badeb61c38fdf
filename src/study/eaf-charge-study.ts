/**
 * Does a federated model find a charge that meets the spec at near-least cost? For the three EAF
 * melt shops (`eafPaperPreset`), fit the charge model to the heat records — federated, and each
 * shop alone — and for every shop recommend the least-cost charge for a rebar spec under chance
 * constraints on every chemistry limit. Score it on the shop's TRUE simulator: the tap chemistry
 * against the spec, and its cost against the exact LP optimum (`optimalCharge`) for the same
 * tapped steel. Then trace the cost–CO2 Pareto front on the model and on the truth.
 *
 * Prior knowledge: a melt shop has its grades' spec sheet. The residual elements that report fully
 * to steel (Cu, Sn, Ni, Mo) get it as a Gaussian prior (reference contents, 30 % relative sd);
 * every plant's own scrap quality, recoveries, yields and energies are learned. `prior: false`
 * fits on the heat records alone.
 */
import { isCrucibleError } from '../errors.js';
import { nominalPractice, simulateHeat, type EafPlant } from '../process/eaf/heat.js';
import type { EafPlantConfig } from '../process/eaf/heatLog.js';
import { eafElements, referenceMaterials, type EafElement } from '../process/eaf/materials.js';
import { optimalCharge, type EafSpec } from '../process/eaf/optimalCharge.js';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { chargeParetoFront, optimizeCharge, type ChargeRecommendation } from '../optimize/charge.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { eafChargeProblem, eafFleetSplits, obsoleteScrapGrades } from './eaf-charge.js';
import type { EafContentPrior } from './eaf-charge-fit.js';
import { federatedEafFit, type EafFit, type EafFitOptions } from './eaf-charge-federation.js';
import { eafModelElements } from './eaf-charge-model.js';
import type { PlantSplit } from './compare.js';

/** The rebar-like spec of the study (mass fractions); the tap weight is 90 % of each shop's usual charge. */
export const studySpec: Omit<EafSpec, 'steelT'> = {
  elements: { Cu: { max: 0.0018 }, Sn: { max: 0.00018 }, Ni: { max: 0.0012 }, C: { min: 0.0005, max: 0.003 }, Mn: { min: 0.002 } },
};

export type EafStudyMethod = 'federated' | 'local';

export interface EafStudyRow {
  seed: number;
  plantId: string;
  method: EafStudyMethod;
  status: 'recommended' | 'infeasible';
  /** The binding constraint when the model finds no charge. */
  infeasibleConstraint?: string;
  chargeT: Record<string, number>;
  steelTargetT: number;
  /** On the true simulator. */
  trueSteelT: number;
  trueCostUsd: number;
  /** The exact LP optimum for the same tapped steel and spec. */
  exactCostUsd: number;
  /** (true cost − exact cost) / exact cost, in percent. */
  costGapPercent: number;
  /** Spec limits the charge breaks on the true simulator (empty: spec met). */
  violations: string[];
  /** Tap chemistry on the truth, and the model's prediction ± sd, for the residual elements. */
  residuals: Record<'Cu' | 'Sn', { true: number; predicted: number; sd: number }>;
}

export interface EafStudyOptions {
  plants?: EafPlantConfig[];
  seed?: number;
  methods?: readonly EafStudyMethod[];
  /** Probability every chemistry limit and the tap weight are held with. Default 0.975. */
  confidence?: number;
  /** Bootstrap members of the model. Default 16. */
  members?: number;
  /** Alternating least-squares rounds. Default 60. */
  rounds?: number;
  /** Use the reference spec sheet as a prior on Cu, Sn, Ni, Mo contents. Default true. */
  prior?: boolean;
  /**
   * Seeded random starts of the sequential LP besides the box centre and the optimum without
   * back-off. The chance-constrained SLP stops at its iteration limit short of a stationary point
   * (it converges linearly where the optimum is not a vertex), so more starts find cheaper
   * certified charges: on the validation fleet 6 starts cut the mean cost gap from 2.59 to 2.38 %.
   * Default 6.
   */
  randomStarts?: number;
  onProgress?: (step: string) => void;
}

/**
 * The validation fleet: the study's three shops with other scrap qualities (tramp factors of
 * obsolete grades 0.95 / 0.85 / 1.2 instead of 0.8 / 1.0 / 1.4). Settings are chosen on it.
 */
export function eafValidationFleet(): EafPlantConfig[] {
  const factors: Record<string, number> = { 'plant-a': 0.95 / 0.8, 'plant-b': 0.85, 'plant-c': 1.2 / 1.4 };
  const tramp: EafElement[] = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo'];
  return eafPaperPreset().map((c) => {
    const f = factors[c.plant.plantId] ?? 1;
    const materials = c.plant.materials.map((m) => {
      if (!(obsoleteScrapGrades as readonly string[]).includes(m.id)) return m;
      const composition = { ...m.composition };
      let delta = 0;
      for (const e of tramp) {
        delta += composition[e] * (f - 1);
        composition[e] *= f;
      }
      composition.Fe -= delta;
      return { ...m, composition };
    });
    return { ...c, plant: { ...c.plant, materials } };
  });
}

/** The reference spec sheet as a prior on the contents of the fully reporting residual elements. */
export function referenceContentPrior(materials: readonly string[], relativeStd = 0.3): EafContentPrior {
  const E = eafModelElements.length;
  const fullyReporting = new Set(['Cu', 'Sn', 'Ni', 'Mo']);
  return {
    relativeStd,
    content: Float64Array.from({ length: materials.length * E }, (_, i) => {
      const e = eafModelElements[i % E];
      const m = referenceMaterials.find((r) => r.id === materials[Math.floor(i / E)]);
      return m !== undefined && fullyReporting.has(e) ? m.composition[e as EafElement] : Number.NaN;
    }),
  };
}

/** A fitted charge model as the optimizer takes it: the plant's surrogate and the grades it may use. */
export type EafChargeModel = { surrogate: ProcessSurrogate; known: readonly string[] };

/**
 * The charge model fitted federated over `plants` and/or on each plant's heats alone, keyed by
 * method and plant; `onFit` is called after each fit ('federated', then 'local <plant>').
 */
export async function fitEafMethods(
  plants: readonly PlantSplit[],
  fitOptions: EafFitOptions,
  methods: ReadonlySet<EafStudyMethod>,
  onFit?: (label: string) => unknown,
): Promise<{ models: Partial<Record<EafStudyMethod, Record<string, EafChargeModel>>>; fits: { federated?: EafFit; local?: Record<string, EafFit> } }> {
  const models: Partial<Record<EafStudyMethod, Record<string, EafChargeModel>>> = {};
  const fits: { federated?: EafFit; local?: Record<string, EafFit> } = {};
  if (methods.has('federated')) {
    const fit = await federatedEafFit(plants, fitOptions);
    fits.federated = fit;
    models.federated = Object.fromEntries(plants.map((p) => [p.plantId, { surrogate: fit.surrogates[p.plantId], known: fit.known }]));
    await onFit?.('federated');
  }
  if (methods.has('local')) {
    models.local = {};
    fits.local = {};
    for (const p of plants) {
      const fit = await federatedEafFit([p], fitOptions);
      fits.local[p.plantId] = fit;
      models.local[p.plantId] = { surrogate: fit.surrogates[p.plantId], known: fit.known };
      await onFit?.(`local ${p.plantId}`);
    }
  }
  return { models, fits };
}

/** Fits the models of one seed (federated and/or local-only), keyed by method and plant. */
export async function fitEafStudyModels(options: EafStudyOptions = {}) {
  const seed = options.seed ?? 1;
  const methods = new Set<EafStudyMethod>(options.methods ?? ['federated', 'local']);
  const { scenario, plants, materials } = eafFleetSplits(options.plants ?? eafPaperPreset(), seed);
  const fitOptions = {
    materials, obsolete: obsoleteScrapGrades, seed, members: options.members ?? 16, rounds: options.rounds ?? 60,
    ...(options.prior === false ? {} : { prior: referenceContentPrior(materials) }),
  };
  const { models, fits } = await fitEafMethods(plants, fitOptions, methods, (label) => {
    if (label === 'federated') options.onProgress?.('federated');
    else if (label === `local ${plants[plants.length - 1].plantId}`) options.onProgress?.('local');
  });
  return { scenario, models, fits };
}

/** Runs the study for one seed: one row per plant and method. */
export async function eafChargeStudy(options: EafStudyOptions = {}): Promise<EafStudyRow[]> {
  const seed = options.seed ?? 1;
  const { scenario, models } = await fitEafStudyModels(options);
  const rows: EafStudyRow[] = [];
  for (const p of scenario.plants) {
    const spec: EafSpec = { ...studySpec, steelT: Math.round(0.9 * p.config.chargeT) };
    for (const method of ['federated', 'local'] as const) {
      const m = models[method]?.[p.plantId];
      if (m === undefined) continue;
      rows.push(await scoreCharge(seed, p.plantId, method, p.config.plant, spec, m, options.confidence ?? 0.975, { randomStarts: options.randomStarts ?? 6 }));
    }
  }
  return rows;
}

/** One shop's recommended charge on `m`, scored on the truth (`randomStarts`: see `EafStudyOptions`, default 6). */
export async function scoreCharge(seed: number, plantId: string, method: EafStudyMethod, plant: EafPlant, spec: EafSpec, m: { surrogate: ProcessSurrogate; known: readonly string[] }, confidence: number, options: { randomStarts?: number } = {}): Promise<EafStudyRow> {
  const problem = eafChargeProblem(plant, spec, { confidence, usable: m.known });
  let rec: ChargeRecommendation;
  try {
    rec = await optimizeCharge(problem, m.surrogate, { randomStarts: options.randomStarts ?? 6 });
  } catch (e) {
    if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
    const nan = Number.NaN;
    const blank = { true: nan, predicted: nan, sd: nan };
    return {
      seed, plantId, method, status: 'infeasible', infeasibleConstraint: String(e.details?.constraint ?? ''), chargeT: {}, steelTargetT: spec.steelT,
      trueSteelT: nan, trueCostUsd: nan, exactCostUsd: nan, costGapPercent: nan, violations: [], residuals: { Cu: blank, Sn: blank },
    };
  }
  return { seed, plantId, method, status: 'recommended', ...(await scoreOnTruth(plant, spec, rec)) };
}

/** A recommended charge on the true simulator: cost against the exact optimum for the same steel, and spec violations. */
export async function scoreOnTruth(plant: EafPlant, spec: EafSpec, rec: ChargeRecommendation): Promise<Omit<EafStudyRow, 'seed' | 'plantId' | 'method' | 'status'>> {
  const heat = simulateHeat(plant, rec.chargeT, nominalPractice(plant, spec.steelT));
  const exact = await optimalCharge({ ...spec, steelT: heat.steelT }, plant);
  const violations: string[] = [];
  for (const e of eafElements) {
    const b = spec.elements?.[e];
    if (b?.max !== undefined && heat.tap[e] > b.max * (1 + 1e-9)) violations.push(`${e} ${(100 * heat.tap[e]).toPrecision(4)} > ${100 * b.max} wt%`);
    if (b?.min !== undefined && heat.tap[e] < b.min * (1 - 1e-9)) violations.push(`${e} ${(100 * heat.tap[e]).toPrecision(4)} < ${100 * b.min} wt%`);
  }
  const residual = (e: 'Cu' | 'Sn') => ({ true: 100 * heat.tap[e], predicted: rec.result.predicted[`tap_${e}_wtpct`], sd: rec.result.uncertainty?.[`tap_${e}_wtpct`] ?? 0 });
  return {
    chargeT: rec.chargeT,
    steelTargetT: spec.steelT,
    trueSteelT: heat.steelT,
    trueCostUsd: heat.costUsd,
    exactCostUsd: exact.costUsd,
    costGapPercent: (100 * (heat.costUsd - exact.costUsd)) / exact.costUsd,
    violations,
    residuals: { Cu: residual('Cu'), Sn: residual('Sn') },
  };
}

export interface ParetoComparison {
  plantId: string;
  /** Charges of the ε-constraint front on the model, scored on the truth ($/t and t CO2/t of true steel). */
  model: { maxCo2T: number; predictedCostUsdPerT: number; predictedCo2TPerT: number; trueCostUsdPerT: number; trueCo2TPerT: number; specMet: boolean }[];
  /** The exact front (LP with a CO2 cap) over the same CO2 range. */
  exact: { co2TPerT: number; costUsdPerT: number }[];
}

/** The cost–CO2 front of one plant on its federated model, each point scored on the truth, with the exact front. */
export async function eafParetoComparison(plant: EafPlant, spec: EafSpec, m: { surrogate: ProcessSurrogate; known: readonly string[] }, options: { points?: number; confidence?: number } = {}): Promise<ParetoComparison> {
  const problem = eafChargeProblem(plant, spec, { confidence: options.confidence ?? 0.975, usable: m.known });
  const front = await chargeParetoFront(problem, m.surrogate, { points: options.points ?? 6 });
  const model = [];
  for (const f of front) {
    const heat = simulateHeat(plant, f.recommendation.chargeT, nominalPractice(plant, spec.steelT));
    const scored = await scoreOnTruth(plant, spec, f.recommendation);
    model.push({
      maxCo2T: f.maxCo2T,
      predictedCostUsdPerT: f.recommendation.costUsd / spec.steelT,
      predictedCo2TPerT: f.recommendation.co2T / spec.steelT,
      trueCostUsdPerT: heat.costUsd / heat.steelT,
      trueCo2TPerT: heat.co2T / heat.steelT,
      specMet: scored.violations.length === 0,
    });
  }
  // The exact front over its own range: from the exact least-cost charge's CO2 down to the least
  // CO2 any charge meeting the spec can have (bisection on the LP's CO2 cap).
  const cheapest = await optimalCharge(spec, plant);
  const hi = cheapest.heat.co2T / cheapest.heat.steelT;
  let lo = 0;
  let feasible = hi;
  for (let k = 0; k < 30; k++) {
    const mid = (lo + feasible) / 2;
    try {
      await optimalCharge({ ...spec, maxCo2TPerTSteel: mid }, plant);
      feasible = mid;
    } catch (e) {
      if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
      lo = mid;
    }
  }
  const exact = [{ co2TPerT: hi, costUsdPerT: cheapest.costUsd / cheapest.heat.steelT }];
  const points = options.points ?? 6;
  for (let k = 1; k < points; k++) {
    const cap = hi + ((feasible - hi) * k) / (points - 1);
    const best = await optimalCharge({ ...spec, maxCo2TPerTSteel: cap * (1 + 1e-9) }, plant);
    exact.push({ co2TPerT: best.heat.co2T / best.heat.steelT, costUsdPerT: best.costUsd / best.heat.steelT });
  }
  return { plantId: plant.plantId, model, exact };
}
