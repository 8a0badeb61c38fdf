/**
 * One EAF heat: charge → liquid steel, slag, dust and off-gas by element mass balance with
 * distribution factors, electric energy by a simple energy balance, cost and CO2 (structure after
 * Rong & Lahdelma 2008 and the EAF energy balances of Kirschen, Badr & Pfeifer, Energy 36, 2011).
 *
 * Deliberate structure: every output mass and the electric energy are AFFINE in the charge
 * tonnages (and in the per-heat practice: O2, burner gas, tap-to-tap time). Distribution factors
 * depend on the element, the material and the plant's practice, never on the charge itself. Hence
 * the cost-optimal charge found by the LP in `optimalCharge.ts` is the exact optimum of this
 * simulator, and what a learned model must discover from noisy heats is exactly this structure
 * (ratios such as wt% and kWh/t are then nonlinear in the charge).
 */
import { z } from 'zod';
import { eafElements, eafMaterialSchema, gangueFraction, type EafElement, type EafMaterial } from './materials.js';

const fraction = z.number().min(0).max(1);

/** Practice, prices and distribution factors of one melt shop. */
export const eafPlantSchema = z.object({
  plantId: z.string().min(1),
  materials: z.array(eafMaterialSchema).min(1),
  /** Fraction of each element reporting to steel, unless a material overrides it. */
  distribution: z.object(Object.fromEntries(eafElements.map((e) => [e, fraction])) as Record<EafElement, typeof fraction>),
  /** Multiplies every material's Fe recovery (slag FeO practice, foaming). */
  ironYieldFactor: z.number().positive().max(1.05),
  practice: z.object({
    /** Arc-to-bath efficiency of electric energy (0–1). */
    electricalEfficiency: fraction,
    /** Share of the oxidation heat of C, Si, Mn, Cr, P, Fe that reaches the bath (0–1). */
    chemicalEfficiency: fraction,
    /** Share of burner fuel energy reaching the scrap (0–1). */
    burnerEfficiency: fraction,
    /** Electric energy saved per Nm³ of lanced O2 by CO post-combustion [kWh/Nm³]. */
    postCombustionKWhPerNm3: z.number().nonnegative(),
    /** Hot heel left in the furnace as a fraction of tap weight; raises melting efficiency. */
    hotHeelFraction: z.number().min(0).max(0.5),
    /** Thermal losses while the furnace is on [kW]. */
    heatLossKW: z.number().nonnegative(),
    /** Nominal per-tonne-steel practice used by the LP and as the centre of per-heat variation. */
    oxygenNm3PerT: z.number().nonnegative(),
    burnerGasNm3PerT: z.number().nonnegative(),
    tapToTapMin: z.number().positive(),
    electrodeKgPerT: z.number().nonnegative(),
  }),
  prices: z.object({ electricityUsdPerKWh: z.number().nonnegative(), naturalGasUsdPerNm3: z.number().nonnegative(), oxygenUsdPerNm3: z.number().nonnegative() }),
  co2: z.object({ gridKgPerKWh: z.number().nonnegative(), naturalGasKgPerNm3: z.number().nonnegative(), electrodeKgPerKg: z.number().nonnegative() }),
});
export type EafPlant = z.infer<typeof eafPlantSchema>;

/** Per-heat practice (absolute quantities for the heat). */
export interface HeatPractice {
  oxygenNm3: number;
  burnerGasNm3: number;
  tapToTapMin: number;
}

/** Oxidation heat per kg of element oxidised [kWh/kg]: C→CO, Si→SiO2, Mn→MnO, Cr→Cr2O3, P→P2O5, Fe→FeO (standard enthalpies of formation). */
export const oxidationHeatKWhPerKg: Readonly<Partial<Record<EafElement, number>>> = Object.freeze({
  C: 2.56, Si: 9.0, Mn: 1.95, Cr: 3.04, P: 6.7, Fe: 1.35,
});
/** Where the part of an element not reporting to steel goes (shares of slag, dust, gas). */
const lossSplit: Record<EafElement, [number, number, number]> = {
  Cu: [0, 1, 0], Sn: [0, 1, 0], Ni: [0, 1, 0], Mo: [0, 1, 0],
  Cr: [1, 0, 0], Mn: [1, 0, 0], Si: [1, 0, 0], P: [1, 0, 0],
  C: [0, 0, 1], S: [0.7, 0, 0.3], Fe: [0.85, 0.15, 0],
};
const NATURAL_GAS_KWH_PER_NM3 = 10.0;
const CO2_PER_C = 44.01 / 12.011;

/**
 * Fraction of element e of material m reporting to steel in plant p.
 *
 * @example
 * steelRecovery(plant, dri, 'Fe'); // DRI's Fe recovery × the plant's iron-yield factor
 */
export function steelRecovery(p: EafPlant, m: EafMaterial, e: EafElement): number {
  const base = m.recovery[e] ?? p.distribution[e];
  return e === 'Fe' ? Math.min(1, base * p.ironYieldFactor) : base;
}

// Per-plant lookup tables as typed arrays, cached by plant object (a plant is an immutable value
// once parsed): the heat loop then touches no string-keyed objects, which keeps data generation fast.
interface MaterialTable {
  material: EafMaterial;
  composition: Float64Array;
  recovery: Float64Array;
  gangue: number;
  electricKWh: number;
  carbonCo2T: number;
}
const tables = new WeakMap<EafPlant, Map<string, MaterialTable>>();
function plantTables(p: EafPlant): Map<string, MaterialTable> {
  let t = tables.get(p);
  if (!t) {
    t = new Map(p.materials.map((m) => {
      const k = materialCoefficients(p, m);
      return [m.id, {
        material: m,
        composition: Float64Array.from(eafElements, (e) => m.composition[e]),
        recovery: Float64Array.from(eafElements, (e) => steelRecovery(p, m, e)),
        gangue: gangueFraction(m),
        electricKWh: k.electricKWh,
        carbonCo2T: k.carbonCo2T,
      }];
    }));
    tables.set(p, t);
  }
  return t;
}
const slagShare = Float64Array.from(eafElements, (e) => lossSplit[e][0]);
const dustShare = Float64Array.from(eafElements, (e) => lossSplit[e][1]);

/** Result of one heat; masses in tonnes, energy in kWh. */
export interface HeatResult {
  chargeT: number;
  steelT: number;
  /** Tap chemistry, mass fraction of steel per element. */
  tap: Record<EafElement, number>;
  /** Mass of each element in: charge, steel, slag, dust, gas [t]. */
  elementIn: Record<EafElement, number>;
  elementSteel: Record<EafElement, number>;
  elementSlag: Record<EafElement, number>;
  elementDust: Record<EafElement, number>;
  elementGas: Record<EafElement, number>;
  /** Gangue (to slag) [t]. */
  gangueT: number;
  /** Metallic yield: steel / charge. */
  metallicYield: number;
  electricKWh: number;
  electricKWhPerT: number;
  costUsd: number;
  co2T: number;
  /** Largest |in − out| / in over elements (mass balance check). */
  balanceResidual: number;
}

/**
 * Nominal practice for a heat producing about `steelT` tonnes.
 *
 * @example
 * simulateHeat(plant, charge, nominalPractice(plant, 100));
 */
export function nominalPractice(p: EafPlant, steelT: number): HeatPractice {
  return { oxygenNm3: p.practice.oxygenNm3PerT * steelT, burnerGasNm3: p.practice.burnerGasNm3PerT * steelT, tapToTapMin: p.practice.tapToTapMin };
}

/**
 * Linear coefficients of one tonne of a material: steel per element [t], electric energy [kWh],
 * direct CO2 from carbon [t] — the columns of the charge LP.
 *
 * @example
 * materialCoefficients(plant, plant.materials[0]).electricKWh; // kWh per t charged
 */
export function materialCoefficients(p: EafPlant, m: EafMaterial): { steel: Record<EafElement, number>; electricKWh: number; carbonCo2T: number } {
  const steel = {} as Record<EafElement, number>;
  let oxidationKWh = 0;
  let carbonGas = 0;
  for (const e of eafElements) {
    const c = m.composition[e];
    const eta = steelRecovery(p, m, e);
    steel[e] = eta * c;
    const lost = (1 - eta) * c * 1000; // kg per t of material
    oxidationKWh += (oxidationHeatKWhPerKg[e] ?? 0) * lost;
    if (e === 'C') carbonGas = (1 - eta) * c;
  }
  const meltEfficiency = p.practice.electricalEfficiency * (1 + 0.3 * p.practice.hotHeelFraction);
  const electricKWh = (m.meltEnergyKWhPerT - p.practice.chemicalEfficiency * oxidationKWh) / meltEfficiency;
  return { steel, electricKWh, carbonCo2T: CO2_PER_C * carbonGas };
}

/**
 * Electric energy and cost/CO2 terms of the practice, independent of the charge.
 *
 * @example
 * practiceTerms(plant, nominalPractice(plant, 100)).electricKWh; // losses minus burner and post-combustion credits
 */
export function practiceTerms(p: EafPlant, practice: HeatPractice): { electricKWh: number; costUsd: number; co2T: number } {
  const meltEfficiency = p.practice.electricalEfficiency * (1 + 0.3 * p.practice.hotHeelFraction);
  const burnerKWh = p.practice.burnerEfficiency * NATURAL_GAS_KWH_PER_NM3 * practice.burnerGasNm3;
  const electricKWh = p.practice.heatLossKW * (practice.tapToTapMin / 60)
    - burnerKWh / meltEfficiency - p.practice.postCombustionKWhPerNm3 * practice.oxygenNm3;
  return {
    electricKWh,
    costUsd: p.prices.naturalGasUsdPerNm3 * practice.burnerGasNm3 + p.prices.oxygenUsdPerNm3 * practice.oxygenNm3,
    co2T: (p.co2.naturalGasKgPerNm3 * practice.burnerGasNm3) / 1000,
  };
}

/**
 * Simulates one heat. `chargeT` maps material id → tonnes (unknown ids are an error); practice
 * defaults to the plant's nominal practice for the expected steel mass.
 *
 * @example
 * const r = simulateHeat(plant, { shredded: 60, hms: 30, pig_iron: 15 });
 * r.tap.Cu; // mass fraction of Cu in the steel
 */
export function simulateHeat(p: EafPlant, chargeT: Record<string, number>, practice?: HeatPractice): HeatResult {
  const byId = plantTables(p);
  const E = eafElements.length;
  // Element-indexed accumulators (records are built once at the end: hot path of data generation).
  const inE = new Float64Array(E), steelE = new Float64Array(E), slagE = new Float64Array(E), dustE = new Float64Array(E), gasE = new Float64Array(E);
  let chargeTotal = 0, gangueT = 0, materialsKWh = 0, materialCost = 0, co2T = 0;
  for (const id in chargeT) {
    const x = chargeT[id];
    const t = byId.get(id);
    if (!t) throw new RangeError(`EAF plant ${p.plantId}: unknown material '${id}' in charge (known: ${[...byId.keys()].join(', ')})`);
    if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`EAF plant ${p.plantId}: charge of '${id}' must be a finite tonnage >= 0, got ${x}`);
    if (x === 0) continue;
    chargeTotal += x;
    gangueT += t.gangue * x;
    for (let i = 0; i < E; i++) {
      const mass = t.composition[i] * x;
      const toSteel = t.recovery[i] * mass;
      const lost = mass - toSteel;
      const fs = slagShare[i], fd = dustShare[i];
      inE[i] += mass;
      steelE[i] += toSteel;
      slagE[i] += fs * lost;
      dustE[i] += fd * lost;
      gasE[i] += lost - fs * lost - fd * lost; // remainder: closes the balance exactly
    }
    materialsKWh += t.electricKWh * x;
    materialCost += t.material.priceUsdPerT * x;
    co2T += (t.material.co2TPerT + t.carbonCo2T) * x;
  }
  const record = (a: Float64Array): Record<EafElement, number> => {
    const r = {} as Record<EafElement, number>;
    for (let i = 0; i < E; i++) r[eafElements[i]] = a[i];
    return r;
  };
  const elementIn = record(inE), elementSteel = record(steelE), elementSlag = record(slagE), elementDust = record(dustE), elementGas = record(gasE);
  let steelT = 0;
  for (let i = 0; i < E; i++) steelT += steelE[i];
  const pr = practice ?? nominalPractice(p, steelT);
  const fixed = practiceTerms(p, pr);
  const electricKWh = materialsKWh + fixed.electricKWh;
  co2T += fixed.co2T + (p.co2.gridKgPerKWh * electricKWh) / 1000 + (p.co2.electrodeKgPerKg * p.practice.electrodeKgPerT * steelT) / 1000;
  const costUsd = materialCost + fixed.costUsd + p.prices.electricityUsdPerKWh * electricKWh;
  const tap = {} as Record<EafElement, number>;
  for (const e of eafElements) tap[e] = steelT > 0 ? elementSteel[e] / steelT : 0;
  let balanceResidual = 0;
  for (const e of eafElements) {
    if (elementIn[e] === 0) continue;
    const out = elementSteel[e] + elementSlag[e] + elementDust[e] + elementGas[e];
    balanceResidual = Math.max(balanceResidual, Math.abs(elementIn[e] - out) / elementIn[e]);
  }
  return {
    chargeT: chargeTotal, steelT, tap, elementIn, elementSteel, elementSlag, elementDust, elementGas, gangueT,
    metallicYield: chargeTotal > 0 ? steelT / chargeTotal : 0,
    electricKWh, electricKWhPerT: steelT > 0 ? electricKWh / steelT : 0,
    costUsd, co2T, balanceResidual,
  };
}
