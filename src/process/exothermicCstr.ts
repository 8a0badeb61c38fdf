/**
 * The exothermic A → B CSTR with three steady states at Tc = 300 K (constants from
 * `../shared/reference/processes.md`, section "Exothermic A → B CSTR"; the classic case of
 * Seborg et al., "Process Dynamics and Control", and Uppal, Ray & Poore, Chem. Eng. Sci. 29, 1974).
 * Used by other engineers to test nonlinear solvers: the residual is exposed directly, and the
 * three roots are found here by a robust scan along the temperature.
 */
import { bracketRoot } from './numeric/scalar.js';

/** Constants of the reactor (units: L, min, mol, J, g, K). */
export const exothermicCstr = Object.freeze({
  flowLPerMin: 100,
  volumeL: 100,
  preExponentialPerMin: 7.2e10,
  activationTemperatureK: 8750,
  feedTemperatureK: 350,
  reactionEnthalpyJPerMol: -5e4,
  densityGPerL: 1000,
  heatCapacityJPerGK: 0.239,
  uaJPerMinK: 5e4,
  feedConcentrationMolPerL: 1,
});

/**
 * Steady-state residuals [dcA/dt (mol/(L min)), dT/dt (K/min)] at (cA, T) and coolant Tc.
 *
 * @example
 * exothermicCstrResidual(0.5, 350, 300); // [r_cA, r_T]
 */
export function exothermicCstrResidual(cA: number, temperatureK: number, coolantK = 300): [number, number] {
  const c = exothermicCstr;
  const k = c.preExponentialPerMin * Math.exp(-c.activationTemperatureK / temperatureK);
  const q = c.flowLPerMin / c.volumeL;
  const rhoCp = c.densityGPerL * c.heatCapacityJPerGK;
  return [
    q * (c.feedConcentrationMolPerL - cA) - k * cA,
    q * (c.feedTemperatureK - temperatureK) + ((-c.reactionEnthalpyJPerMol) / rhoCp) * k * cA
      + (c.uaJPerMinK / (c.volumeL * rhoCp)) * (coolantK - temperatureK),
  ];
}

/**
 * All steady states at coolant temperature `coolantK`, ascending in T. Eliminates cA
 * (cA = q cAf/(q + k(T))) and finds every sign change of the energy residual on a fine scan of
 * T in [250, 600] K, refined by a bracketed root finder. At Tc = 300 K there are three.
 *
 * @example
 * exothermicCstrSteadyStates(300).map((s) => s.temperatureK); // ≈ [324.48, 350.01, 369.70]
 * // low: stable node; middle (the textbook point cA ≈ 0.5 mol/L, T ≈ 350 K): saddle;
 * // ignited: unstable focus (the reactor oscillates around it).
 */
export function exothermicCstrSteadyStates(coolantK = 300): { cA: number; temperatureK: number }[] {
  const c = exothermicCstr;
  const q = c.flowLPerMin / c.volumeL;
  const cAOf = (T: number): number => (q * c.feedConcentrationMolPerL) / (q + c.preExponentialPerMin * Math.exp(-c.activationTemperatureK / T));
  const g = (T: number): number => exothermicCstrResidual(cAOf(T), T, coolantK)[1];
  const out: { cA: number; temperatureK: number }[] = [];
  const lo = 250, hi = 600, steps = 7000;
  let a = lo, ga = g(a);
  for (let i = 1; i <= steps; i++) {
    const b = lo + ((hi - lo) * i) / steps;
    const gb = g(b);
    if (ga === 0 || Math.sign(ga) !== Math.sign(gb)) {
      const T = ga === 0 ? a : bracketRoot(g, a, b, 1e-15);
      if (T !== null) out.push({ cA: cAOf(T), temperatureK: T });
    }
    a = b; ga = gb;
  }
  return out;
}
