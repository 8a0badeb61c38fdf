/**
 * The true optimum of a van de Vusse plant's steady-state profit (`vanDeVusseProfit`) under process
 * limits on the outputs — a reactor temperature limit T ≤ T_max and a product specification
 * cB ≥ cB_min — over the decision box of D and Qk at fixed feed, for scoring recommendations.
 *
 * Method: a grid for the basin, Nelder–Mead on an exact penalty, then an exact polish on the active
 * set found — along the temperature limit by golden-section search in D with Qk from a bracketed
 * root of T(D, Qk) = T_max (T rises monotonically with Qk: less cooling), and at the corner where
 * both limits hold by a root in D of cB(D, Qk_T(D)) = cB_min.
 */
import { nelderMead } from './numeric/nelderMead.js';
import { bracketRoot, goldenMaximize } from './numeric/scalar.js';
import { vanDeVusseProfit, vanDeVusseSteadyState, type VanDeVusseInputs, type VanDeVusseParameters, type VanDeVusseSteadyState } from './vanDeVusse.js';

export interface VanDeVusseLimits {
  /** Upper limit on the reactor temperature T [°C]. */
  maxTemperatureC?: number;
  /** Product specification: lower limit on cB [mol/L]. */
  minProductConcentration?: number;
}

export interface VanDeVusseConstrainedOptimum {
  dilutionPerH: number;
  jacketDutyKJPerH: number;
  profit: number;
  /** Limits and decision bounds holding with equality at the optimum. */
  active: ('T max' | 'cB min' | 'D min' | 'D max' | 'Qk min' | 'Qk max')[];
  state: VanDeVusseSteadyState;
}

/**
 * Maximises steady-state profit subject to the limits, over D in `dilutionPerH` and Qk in
 * `jacketDutyKJPerH` (defaults [3, 35] 1/h and [−9000, 0] kJ/h) at the given feed. Throws a
 * RangeError when no point of the box meets the limits.
 *
 * @example
 * const opt = vanDeVusseConstrainedOptimum(nominalVanDeVusse, { feed, limits: { maxTemperatureC: 113 } });
 * opt.active; // ['T max']
 */
export function vanDeVusseConstrainedOptimum(
  p: VanDeVusseParameters,
  options: {
    feed: Pick<VanDeVusseInputs, 'feedConcentration' | 'feedTemperatureC'>;
    limits: VanDeVusseLimits;
    dilutionPerH?: readonly [number, number];
    jacketDutyKJPerH?: readonly [number, number];
    heatTransferFactor?: number;
  },
): VanDeVusseConstrainedOptimum {
  const [dLo, dHi] = options.dilutionPerH ?? [3, 35];
  const [qLo, qHi] = options.jacketDutyKJPerH ?? [-9000, 0];
  const tMax = options.limits.maxTemperatureC ?? Infinity;
  const cBMin = options.limits.minProductConcentration ?? -Infinity;
  const at = (D: number, Q: number): { v: number; s: VanDeVusseSteadyState } => {
    const u: VanDeVusseInputs = { ...options.feed, dilutionPerH: D, jacketDutyKJPerH: Q };
    const s = vanDeVusseSteadyState(p, u, { heatTransferFactor: options.heatTransferFactor });
    return { v: vanDeVusseProfit(p, u, s), s };
  };
  // Violations in units of 1 K and 0.01 mol/L, so both weigh alike in the penalty.
  const violation = (s: VanDeVusseSteadyState): number => Math.max(0, s.temperatureC - tMax) + Math.max(0, cBMin - s.cB) / 0.01;

  let best = { D: Number.NaN, Q: Number.NaN, v: -Infinity };
  for (let i = 0; i <= 48; i++) {
    for (let j = 0; j <= 40; j++) {
      const D = dLo + ((dHi - dLo) * i) / 48, Q = qLo + ((qHi - qLo) * j) / 40;
      const r = at(D, Q);
      if (violation(r.s) === 0 && r.v > best.v) best = { D, Q, v: r.v };
    }
  }
  if (!Number.isFinite(best.v)) {
    throw new RangeError(`vanDeVusseConstrainedOptimum: no point of D ∈ [${dLo}, ${dHi}], Qk ∈ [${qLo}, ${qHi}] meets T ≤ ${tMax} °C, cB ≥ ${cBMin} mol/L`);
  }
  const sd = dHi - dLo, sq = qHi - qLo;
  const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
  const nm = nelderMead((u) => {
    const D = clip(dLo + u[0] * sd, dLo, dHi), Q = clip(qLo + u[1] * sq, qLo, qHi);
    const outside = Math.abs(dLo + u[0] * sd - D) / sd + Math.abs(qLo + u[1] * sq - Q) / sq;
    const r = at(D, Q);
    return -r.v + 1e4 * (outside + violation(r.s));
  }, [(best.D - dLo) / sd, (best.Q - qLo) / sq], { initialStep: [1 / 48, 1 / 40], pointTolerance: 1e-10 });
  let D = clip(dLo + nm.x[0] * sd, dLo, dHi);
  let Q = clip(qLo + nm.x[1] * sq, qLo, qHi);
  const first = at(D, Q);
  if (violation(first.s) > 0 || first.v < best.v) ({ D, Q } = best);

  // Polish on the active set.
  const qAtLimit = (d: number): number | null => {
    if (at(d, qHi).s.temperatureC <= tMax) return qHi;
    return bracketRoot((q) => at(d, q).s.temperatureC - tMax, qLo, qHi, 1e-12);
  };
  const s0 = at(D, Q).s;
  const tActive = Number.isFinite(tMax) && s0.temperatureC > tMax - 0.05;
  const cActive = Number.isFinite(cBMin) && s0.cB < cBMin + 1e-3;
  if (tActive) {
    const window: [number, number] = [Math.max(dLo, D - 0.05 * sd), Math.min(dHi, D + 0.05 * sd)];
    const cBOnLimit = (d: number): number => {
      const q = qAtLimit(d);
      return q === null ? -Infinity : at(d, q).s.cB;
    };
    let dStar: number | null = null;
    if (cActive) dStar = bracketRoot((d) => cBOnLimit(d) - cBMin, window[0], window[1], 1e-12);
    if (dStar === null) {
      dStar = goldenMaximize((d) => {
        const q = qAtLimit(d);
        if (q === null) return -Infinity;
        const r = at(d, q);
        return r.s.cB >= cBMin ? r.v : r.v - 1e4 * (cBMin - r.s.cB);
      }, window[0], window[1], 1e-9).x;
    }
    const q = qAtLimit(dStar);
    if (q !== null && violation(at(dStar, q).s) <= 1e-9 && at(dStar, q).v >= at(D, Q).v - 1e-9) {
      D = dStar;
      Q = q;
    }
  }
  const final = at(D, Q);
  const active: VanDeVusseConstrainedOptimum['active'] = [];
  if (Math.abs(final.s.temperatureC - tMax) <= 1e-6) active.push('T max');
  if (Math.abs(final.s.cB - cBMin) <= 1e-6) active.push('cB min');
  if (D <= dLo + 1e-9 * sd) active.push('D min');
  if (D >= dHi - 1e-9 * sd) active.push('D max');
  if (Q <= qLo + 1e-9 * sq) active.push('Qk min');
  if (Q >= qHi - 1e-9 * sq) active.push('Qk max');
  return { dilutionPerH: D, jacketDutyKJPerH: Q, profit: final.v, active, state: final.s };
}
