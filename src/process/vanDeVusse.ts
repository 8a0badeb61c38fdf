/**
 * van de Vusse reaction A → B → C, 2A → D in a jacketed CSTR (Chen, Kremling & Allgöwer, ECC 1995;
 * Klatt & Engell, J. Process Control 8, 1998). B is the product. Equations and constants:
 * `../shared/reference/processes.md`, section "van de Vusse jacketed CSTR". Time in hours.
 *
 * States y = (cA, cB [mol/L], T, Tk [°C]); inputs D [1/h] (dilution rate), Qk [kJ/h] (jacket heat
 * duty), disturbances cA0 [mol/L] and T0 [°C]. Fouling scales kw·AR by a factor in (0, 1].
 */
import { z } from 'zod';
import { solveNonlinear } from './numeric/newton.js';

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** The plant-specific constants of a van de Vusse reactor. */
export const vanDeVusseParametersSchema = z.object({
  /** Pre-exponential factors k10, k20 [1/h], k30 [L/(mol h)]. */
  preExponential: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Activation temperatures E1, E2, E3 [K]. */
  activationTemperatureK: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Reaction enthalpies ΔH_AB, ΔH_BC, ΔH_AD [kJ/mol]. */
  reactionEnthalpyKJPerMol: triple,
  densityKgPerL: z.number().positive(),
  heatCapacityKJPerKgK: z.number().positive(),
  /** Heat-transfer coefficient kw [kJ/(h m² K)] of the clean jacket. */
  heatTransferKJPerHM2K: z.number().positive(),
  jacketAreaM2: z.number().positive(),
  reactorVolumeL: z.number().positive(),
  coolantMassKg: z.number().positive(),
  coolantHeatCapacityKJPerKgK: z.number().positive(),
});
export type VanDeVusseParameters = z.infer<typeof vanDeVusseParametersSchema>;

/** The published plant (processes.md; Chen et al. 1995). */
export const nominalVanDeVusse: VanDeVusseParameters = Object.freeze({
  preExponential: [1.287e12, 1.287e12, 9.043e9] as [number, number, number],
  activationTemperatureK: [9758.3, 9758.3, 8560] as [number, number, number],
  reactionEnthalpyKJPerMol: [4.2, -11.0, -41.85] as [number, number, number],
  densityKgPerL: 0.9342,
  heatCapacityKJPerKgK: 3.01,
  heatTransferKJPerHM2K: 4032,
  jacketAreaM2: 0.215,
  reactorVolumeL: 10,
  coolantMassKg: 5,
  coolantHeatCapacityKJPerKgK: 2.0,
});

/** Inputs and disturbances acting on the reactor. */
export interface VanDeVusseInputs {
  /** Dilution rate D [1/h]. */
  dilutionPerH: number;
  /** Jacket heat duty Qk [kJ/h] (negative = cooling). */
  jacketDutyKJPerH: number;
  /** Feed concentration cA0 [mol/L]. */
  feedConcentration: number;
  /** Feed temperature T0 [°C]. */
  feedTemperatureC: number;
}

/** The published nominal operating point (D = 14.19 1/h, Qk = −1113.5 kJ/h, cA0 = 5.10, T0 = 104.9). */
export const nominalVanDeVusseInputs: VanDeVusseInputs = Object.freeze({
  dilutionPerH: 14.19,
  jacketDutyKJPerH: -1113.5,
  feedConcentration: 5.1,
  feedTemperatureC: 104.9,
});

/**
 * Reaction rates [mol/(L h)]: r1 = k1 cA (A → B), r2 = k2 cB (B → C), r3 = k3 cA² (2A → D). As in the
 * published model, A's balance carries −r3 (so r3 counts mol of A consumed; D forms at r3/2).
 *
 * @example
 * const [r1, r2, r3] = vanDeVusseRates(nominalVanDeVusse, 114.2, 2.14, 1.09);
 */
export function vanDeVusseRates(p: VanDeVusseParameters, temperatureC: number, cA: number, cB: number): [number, number, number] {
  const TK = temperatureC + 273.15;
  return [
    p.preExponential[0] * Math.exp(-p.activationTemperatureK[0] / TK) * cA,
    p.preExponential[1] * Math.exp(-p.activationTemperatureK[1] / TK) * cB,
    p.preExponential[2] * Math.exp(-p.activationTemperatureK[2] / TK) * cA * cA,
  ];
}

/**
 * Writes dy/dt for state y = (cA, cB, T, Tk) into `dydt`. `heatTransferFactor` (default 1)
 * multiplies kw (fouling).
 *
 * @example
 * const d = new Float64Array(4);
 * vanDeVusseRhs(nominalVanDeVusse, nominalVanDeVusseInputs, Float64Array.of(2.14, 1.09, 114.2, 112.9), d);
 */
export function vanDeVusseRhs(
  p: VanDeVusseParameters,
  u: VanDeVusseInputs,
  y: ArrayLike<number>,
  dydt: Float64Array,
  heatTransferFactor = 1,
): void {
  const [cA, cB, T, Tk] = [y[0], y[1], y[2], y[3]];
  const [r1, r2, r3] = vanDeVusseRates(p, T, cA, cB);
  const rhoCp = p.densityKgPerL * p.heatCapacityKJPerKgK;
  const kA = p.heatTransferKJPerHM2K * heatTransferFactor * p.jacketAreaM2;
  const [h1, h2, h3] = p.reactionEnthalpyKJPerMol;
  const D = u.dilutionPerH;
  dydt[0] = D * (u.feedConcentration - cA) - r1 - r3;
  dydt[1] = -D * cB + r1 - r2;
  dydt[2] = D * (u.feedTemperatureC - T) - (r1 * h1 + r2 * h2 + r3 * h3) / rhoCp + (kA * (Tk - T)) / (rhoCp * p.reactorVolumeL);
  dydt[3] = (u.jacketDutyKJPerH + kA * (T - Tk)) / (p.coolantMassKg * p.coolantHeatCapacityKJPerKgK);
}

/** A steady state of the reactor. */
export interface VanDeVusseSteadyState {
  cA: number; cB: number; temperatureC: number; jacketTemperatureC: number;
  /** max |dy_i/dt| / scale_i at the solution (scales: 1 mol/(L h), 1 K/h). */
  residual: number;
}

/**
 * Solves dy/dt = 0 for the given inputs (Newton; pseudo-transient continuation of the true
 * dynamics as fallback, so it lands on the stable steady state the plant would reach).
 *
 * @example
 * const s = vanDeVusseSteadyState(nominalVanDeVusse, nominalVanDeVusseInputs);
 * s.cB; // ≈ 1.09 mol/L
 */
export function vanDeVusseSteadyState(
  p: VanDeVusseParameters,
  u: VanDeVusseInputs,
  options: { heatTransferFactor?: number; initialGuess?: ArrayLike<number> } = {},
): VanDeVusseSteadyState {
  const factor = options.heatTransferFactor ?? 1;
  const guess = Float64Array.from(options.initialGuess ?? [2.14, 1.09, 114.2, 112.9]);
  const { x, residualNorm } = solveNonlinear((y, f) => vanDeVusseRhs(p, u, y, f, factor), guess, {
    tolerance: 1e-10,
    lower: Float64Array.of(0, 0, -50, -100),
    initialStep: 0.01,
    label: `van de Vusse steady state at D=${u.dilutionPerH} 1/h, Qk=${u.jacketDutyKJPerH} kJ/h`,
  });
  return { cA: x[0], cB: x[1], temperatureC: x[2], jacketTemperatureC: x[3], residual: residualNorm };
}

/**
 * The scoring objective of a van de Vusse plant [$ per h] (assumed, documented in
 * docs/simulators.md): value of B produced minus cost of A fed minus cooling,
 * `VR·D·(priceB·cB − priceA·cA0) − priceCooling·|Qk|/1000` with priceB = 1, priceA = 0.15 $/mol and
 * priceCooling = 0.05 $/MJ. For the nominal plant its maximum over D in [3, 35], Qk in [−9000, 0]
 * is interior in D (≈ 25.5 1/h) with Qk at its bound 0: higher T favours B over D (E3 < E1), and
 * the jacket can only cool.
 */
export function vanDeVusseProfit(p: VanDeVusseParameters, u: VanDeVusseInputs, s: { cB: number }): number {
  return p.reactorVolumeL * u.dilutionPerH * (1.0 * s.cB - 0.15 * u.feedConcentration) - (0.05 * Math.abs(u.jacketDutyKJPerH)) / 1000;
}
