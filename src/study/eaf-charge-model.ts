/**
 * A learned model of EAF heats that a charge optimizer can trust outside a plant's usual recipe:
 * the mass balance fixes its structure, the heat records fix its numbers (scrap-composition
 * estimation from charge and tap analyses, as in Sandberg et al., Ironmaking & Steelmaking 32,
 * 2005; Gaustad, Li & Kirchain, Resour. Conserv. Recycl. 52, 2007).
 *
 *   m_e = Σ_j x_j · a_je · g_je                         element e in the steel [t]
 *         g_je = exp(θ_e) for the oxidisable elements (C, Mn, Si, P, S),
 *                exp(τ_e) for the tramp elements (Cu, Sn, Ni, Cr, Mo) of obsolete scrap, else 1
 *   W   = exp(ρ) · Σ_j x_j y_j                          tapped steel [t]
 *   E   = s · Σ_j x_j b_j + π·(O2, gas, t_tap) + π₀      electric energy [kWh]
 *   tap_e [wt%] = 100 m_e / W,   kWh/t = E / W
 *
 * Shared across plants (federated): each material's steel-reporting contents a_je, yield y_j and
 * net melting energy b_j — properties of the scrap grade. Kept at each plant: the recovery factor
 * θ of the oxidisable elements (slag practice), the scrap-quality factor τ of its obsolete scrap
 * (regional scrap), the iron-yield factor ρ, the furnace's efficiency scale s and its practice
 * coefficients π. A plant that never charged turnings predicts them from the plants that did,
 * corrected by its own scrap quality, learned from the obsolete grades it does charge.
 *
 * Every plant factor is identified across plants: θ through the alloys and carburiser all plants
 * charge, τ through the obsolete grades several plants charge. (A recovery factor on the tramp
 * elements too would not be: tramp elements report fully to steel, and a factor per plant would
 * trade freely against the contents of grades only that plant charges.) What remains are gauges (a
 * common scale of contents against all plants' factors) that change no prediction.
 *
 * @example
 * const surrogate = eafCoefficientSurrogate(coefficients, factors);
 * surrogate.predict(x); // [steel_t, energy_kWh_per_t, tap_Cu_wtpct, …]
 */
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { add, concat, div, matmul, mul, sliceCols } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';

/** The tap-chemistry elements the heat records report (Fe is the balance). */
export const eafModelElements = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo', 'C', 'Mn', 'Si', 'P', 'S'] as const;
/** Elements that report fully to steel and come with obsolete scrap. */
export const trampElements: ReadonlySet<string> = new Set(['Cu', 'Sn', 'Ni', 'Cr', 'Mo']);

/** Model inputs and outputs for a list of materials (the heat-record columns). */
export function eafChargeColumns(materials: readonly string[]): { inputs: string[]; outputs: string[] } {
  return {
    inputs: [...materials.map((id) => `charge_${id}_t`), 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min'],
    outputs: ['steel_t', 'energy_kWh_per_t', ...eafModelElements.map((e) => `tap_${e}_wtpct`)],
  };
}

/** The shared (federated) coefficients: one set per material. */
export interface EafCoefficients {
  materials: readonly string[];
  /** Obsolete-scrap grades among the materials. */
  obsolete: readonly string[];
  /** a_je [t/t], row-major materials × `eafModelElements`. */
  content: Float64Array;
  /** y_j [t/t]. */
  yield: Float64Array;
  /** b_j [kWh/t]. */
  meltEnergy: Float64Array;
  /** Materials some plant charged: the others' coefficients are unknown (0). */
  known: readonly string[];
}

/** One plant's local factors. */
export interface EafPlantFactors {
  /** θ_e (log), used for the oxidisable elements. */
  recovery: Float64Array;
  /** τ_e (log), used for the tramp elements of obsolete scrap. */
  scrapQuality: Float64Array;
  /** ρ (log). */
  yieldFactor: number;
  /** s, π (per Nm³ O2, per Nm³ gas, per min tap-to-tap) and π₀ (per heat). */
  energy: { scale: number; practice: Float64Array; perHeatKWh: number };
}

/** Identity factors (a plant before its first fit). */
export function neutralFactors(): EafPlantFactors {
  const E = eafModelElements.length;
  return { recovery: new Float64Array(E), scrapQuality: new Float64Array(E), yieldFactor: 0, energy: { scale: 1, practice: new Float64Array(3), perHeatKWh: 0 } };
}

/** g_je: the factor of material j and element e at this plant, row-major materials × elements. */
export function plantContentFactors(c: EafCoefficients, f: EafPlantFactors): Float64Array {
  const E = eafModelElements.length;
  const g = new Float64Array(c.materials.length * E);
  c.materials.forEach((id, j) => {
    const obsolete = c.obsolete.includes(id);
    eafModelElements.forEach((e, k) => {
      g[j * E + k] = trampElements.has(e) ? (obsolete ? Math.exp(f.scrapQuality[k]) : 1) : Math.exp(f.recovery[k]);
    });
  });
  return g;
}

/**
 * The model of one plant as a surrogate over the heat-record columns: inputs in tonnes, Nm³ and
 * minutes; outputs steel_t, energy_kWh_per_t and tap_e_wtpct (differentiable in the inputs).
 */
export function eafCoefficientSurrogate(c: EafCoefficients, f: EafPlantFactors): ProcessSurrogate {
  const J = c.materials.length;
  const E = eafModelElements.length;
  const { inputs, outputs } = eafChargeColumns(c.materials);
  const g = plantContentFactors(c, f);
  const masses = new Tensor(J, E, Float64Array.from(c.content, (a, i) => a * g[i]));
  const steelPerT = new Tensor(J, 1, Float64Array.from(c.yield, (y) => y * Math.exp(f.yieldFactor)));
  const energyPerT = new Tensor(J, 1, Float64Array.from(c.meltEnergy, (b) => b * f.energy.scale));
  const practice = new Tensor(3, 1, f.energy.practice.slice());
  return {
    inputNames: inputs,
    outputNames: outputs,
    predict: (x) => {
      const tonnes = sliceCols(x, 0, J);
      const steel = matmul(tonnes, steelPerT);
      const energy = add(add(matmul(tonnes, energyPerT), matmul(sliceCols(x, J, J + 3), practice)), f.energy.perHeatKWh);
      return concat([steel, div(energy, steel), mul(div(matmul(tonnes, masses), steel), 100)], 1);
    },
  };
}
