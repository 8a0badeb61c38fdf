/**
 * Williams–Otto reactor at steady state (Williams & Otto, AIEE Trans. 79, 1960; the RTO benchmark
 * form of Forbes & Marlin, Ind. Eng. Chem. Res. 33, 1994 / Comput. Chem. Eng. 20, 1996).
 *
 * A CSTR of holdup W [kg] fed with pure A (F_A) and pure B (F_B) [kg/s] at reactor temperature T_R [°C]:
 *   A + B → C (k1),  B + C → P + E (k2),  C + P → G (k3)        (mass basis)
 * Equations and constants: `../shared/reference/processes.md`, section "Williams–Otto reactor".
 */
import { z } from 'zod';
import { solveNonlinear } from './numeric/newton.js';

/** The plant-specific constants of a Williams–Otto reactor (catalyst, size, feed, prices). */
export const williamsOttoParametersSchema = z.object({
  /** Pre-exponential factors k_i0 [1/s] of the three reactions. */
  preExponentialPerS: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Activation temperatures E_i/R [K]. */
  activationTemperatureK: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  /** Reactor mass holdup W [kg]. */
  holdupKg: z.number().positive(),
  /** Feed rate of pure A, F_A [kg/s] (fixed for a plant). */
  feedAKgPerS: z.number().positive(),
  /** Prices [$ per kg]: product P, by-product E, feeds A and B. */
  priceP: z.number(),
  priceE: z.number(),
  priceA: z.number(),
  priceB: z.number(),
});
export type WilliamsOttoParameters = z.infer<typeof williamsOttoParametersSchema>;

/** The published nominal plant (processes.md; Forbes & Marlin 1996). */
export const nominalWilliamsOtto: WilliamsOttoParameters = Object.freeze({
  preExponentialPerS: [1.6599e6, 7.2117e8, 2.6745e12] as [number, number, number],
  activationTemperatureK: [6666.7, 8333.3, 11111] as [number, number, number],
  holdupKg: 2105,
  feedAKgPerS: 1.8275,
  priceP: 1143.38,
  priceE: 25.92,
  priceA: 76.23,
  priceB: 114.34,
});

/** Decision bounds of the benchmark: F_B in [3, 6] kg/s, T_R in [70, 100] °C. */
export const williamsOttoBounds = Object.freeze({ feedB: [3, 6] as const, temperatureC: [70, 100] as const });

/** The published RTO constraints: x_A <= 0.12, x_G <= 0.08. */
export const williamsOttoLimits = Object.freeze({ xA: 0.12, xG: 0.08 });

/** Steady state of the reactor for one operating point. */
export interface WilliamsOttoState {
  feedBKgPerS: number;
  temperatureC: number;
  /** Outlet mass fractions. */
  xA: number; xB: number; xC: number; xE: number; xG: number; xP: number;
  /** Reaction extents r1, r2, r3 [kg/s]. */
  rates: [number, number, number];
  /** Profit [$/s] = F_R (p_P x_P + p_E x_E) − p_A F_A − p_B F_B. */
  profit: number;
  /** Constraint values g ≤ 0: [x_A − 0.12, x_G − 0.08]. */
  constraintViolation: [number, number];
  /** Largest component-balance residual relative to F_R (kg/s per kg/s). */
  balanceResidual: number;
}

function rateConstants(p: WilliamsOttoParameters, temperatureC: number): [number, number, number] {
  const TK = temperatureC + 273.15;
  return [
    p.preExponentialPerS[0] * Math.exp(-p.activationTemperatureK[0] / TK),
    p.preExponentialPerS[1] * Math.exp(-p.activationTemperatureK[1] / TK),
    p.preExponentialPerS[2] * Math.exp(-p.activationTemperatureK[2] / TK),
  ];
}

/**
 * The six component balances [kg/s] at mass fractions x = (A, B, C, P, E, G); zero at steady state.
 * Exposed so tests and other engineers can check a solution independently.
 */
export function williamsOttoBalances(
  p: WilliamsOttoParameters,
  feedBKgPerS: number,
  temperatureC: number,
  x: ArrayLike<number>,
): Float64Array {
  const [k1, k2, k3] = rateConstants(p, temperatureC);
  const FA = p.feedAKgPerS;
  const FR = FA + feedBKgPerS;
  const W = p.holdupKg;
  const [xA, xB, xC, xP, xE, xG] = [x[0], x[1], x[2], x[3], x[4], x[5]];
  const r1 = k1 * xA * xB * W;
  const r2 = k2 * xB * xC * W;
  const r3 = k3 * xC * xP * W;
  return Float64Array.of(
    FA - FR * xA - r1,
    feedBKgPerS - FR * xB - r1 - r2,
    -FR * xC + 2 * r1 - 2 * r2 - r3,
    -FR * xP + r2 - 0.5 * r3,
    -FR * xE + 2 * r2,
    -FR * xG + 1.5 * r3,
  );
}

/**
 * The balances of A, B, C, P (E and G follow explicitly) in the unknowns y = (xA, xB, xC, xP), with
 * their analytic Jacobian (row-major 4×4) — what the steady-state Newton solve uses. Exposed for the
 * finite-difference check of the Jacobian.
 *
 * @example
 * const { residual, jacobian } = williamsOttoReducedSystem(nominalWilliamsOtto, 4.5, 85);
 */
export function williamsOttoReducedSystem(
  p: WilliamsOttoParameters,
  feedBKgPerS: number,
  temperatureC: number,
): { residual: (y: Float64Array, f: Float64Array) => void; jacobian: (y: Float64Array, J: Float64Array) => void } {
  const [k1, k2, k3] = rateConstants(p, temperatureC);
  const FA = p.feedAKgPerS;
  const FR = FA + feedBKgPerS;
  const W = p.holdupKg;
  const a1 = k1 * W, a2 = k2 * W, a3 = k3 * W;
  return {
    residual: (y, f) => {
      const r1 = a1 * y[0] * y[1], r2 = a2 * y[1] * y[2], r3 = a3 * y[2] * y[3];
      f[0] = FA - FR * y[0] - r1;
      f[1] = feedBKgPerS - FR * y[1] - r1 - r2;
      f[2] = -FR * y[2] + 2 * r1 - 2 * r2 - r3;
      f[3] = -FR * y[3] + r2 - 0.5 * r3;
    },
    jacobian: (y, J) => {
      const [xA, xB, xC, xP] = [y[0], y[1], y[2], y[3]];
      J.set([
        -FR - a1 * xB, -a1 * xA, 0, 0,
        -a1 * xB, -FR - a1 * xA - a2 * xC, -a2 * xB, 0,
        2 * a1 * xB, 2 * a1 * xA - 2 * a2 * xC, -FR - 2 * a2 * xB - a3 * xP, -a3 * xC,
        0, a2 * xC, a2 * xB - 0.5 * a3 * xP, -FR - 0.5 * a3 * xC,
      ]);
    },
  };
}

/**
 * Solves the steady-state mass balances for (F_B [kg/s], T_R [°C]) and evaluates profit and
 * constraints. A, B, C, P are solved by Newton (analytic Jacobian, pseudo-transient fallback);
 * E and G then follow explicitly. Residuals are verified to 1e-12 of F_R.
 *
 * @example
 * const s = williamsOttoSteadyState(nominalWilliamsOtto, 4.79, 89.7);
 * s.profit; // ≈ 191 $/s
 */
export function williamsOttoSteadyState(
  p: WilliamsOttoParameters,
  feedBKgPerS: number,
  temperatureC: number,
): WilliamsOttoState {
  if (!(feedBKgPerS > 0) || !Number.isFinite(temperatureC)) {
    throw new RangeError(`Williams–Otto: need F_B > 0 kg/s and finite T_R, got F_B=${feedBKgPerS}, T_R=${temperatureC}`);
  }
  const [k1, k2, k3] = rateConstants(p, temperatureC);
  const FA = p.feedAKgPerS;
  const FR = FA + feedBKgPerS;
  const W = p.holdupKg;
  const a1 = k1 * W, a2 = k2 * W, a3 = k3 * W;
  const reduced = williamsOttoReducedSystem(p, feedBKgPerS, temperatureC);
  const residual = reduced.residual;
  const jacobian = reduced.jacobian;
  // Initial guess: the nominal-optimum neighbourhood, scaled by feed split.
  const y0 = Float64Array.of(0.3 * FA / FR, 0.5 * feedBKgPerS / FR, 0.03, 0.1);
  const scale = new Float64Array(4).fill(FR);
  const { x: y } = solveNonlinear(residual, y0, {
    jacobian,
    tolerance: 1e-13,
    residualScale: scale,
    lower: new Float64Array(4),
    upper: new Float64Array(4).fill(1),
    transientMass: new Float64Array(4).fill(W),
    initialStep: W / FR,
    label: `Williams–Otto steady state at F_B=${feedBKgPerS} kg/s, T_R=${temperatureC} °C`,
  });
  const [xA, xB, xC, xP] = [y[0], y[1], y[2], y[3]];
  const r1 = a1 * xA * xB, r2 = a2 * xB * xC, r3 = a3 * xC * xP;
  const xE = (2 * r2) / FR;
  const xG = (1.5 * r3) / FR;
  const balances = williamsOttoBalances(p, feedBKgPerS, temperatureC, [xA, xB, xC, xP, xE, xG]);
  let balanceResidual = 0;
  for (const b of balances) balanceResidual = Math.max(balanceResidual, Math.abs(b) / FR);
  const profit = FR * (p.priceP * xP + p.priceE * xE) - p.priceA * FA - p.priceB * feedBKgPerS;
  return {
    feedBKgPerS, temperatureC, xA, xB, xC, xE, xG, xP,
    rates: [r1, r2, r3],
    profit,
    constraintViolation: [xA - williamsOttoLimits.xA, xG - williamsOttoLimits.xG],
    balanceResidual,
  };
}
