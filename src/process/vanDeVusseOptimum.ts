/**
 * The true optimum of a van de Vusse plant's steady-state profit (`vanDeVusseProfit`) over the
 * decision box of D and Qk at fixed disturbances, computed by the simulator for scoring.
 * Grid search for the basin, Nelder–Mead refinement, then golden-section polish of the free
 * coordinate when the other sits on a bound.
 */
import { nelderMead } from './numeric/nelderMead.js';
import { goldenMaximize } from './numeric/scalar.js';
import {
  vanDeVusseProfit,
  vanDeVusseSteadyState,
  nominalVanDeVusseInputs,
  type VanDeVusseInputs,
  type VanDeVusseParameters,
  type VanDeVusseSteadyState,
} from './vanDeVusse.js';

export interface VanDeVusseOptimum {
  dilutionPerH: number;
  jacketDutyKJPerH: number;
  profit: number;
  /** Decision bounds holding with equality at the optimum. */
  activeBounds: ('D min' | 'D max' | 'Qk min' | 'Qk max')[];
  state: VanDeVusseSteadyState;
}

/**
 * Maximises steady-state profit over D in `dilutionPerH` and Qk in `jacketDutyKJPerH` bounds
 * (defaults: the usual ranges [3, 35] 1/h and [−9000, 0] kJ/h) at the given feed.
 *
 * @example
 * const opt = vanDeVusseOptimum(nominalVanDeVusse);
 * opt.dilutionPerH; // ≈ 25.5; opt.jacketDutyKJPerH = 0 (bound)
 */
export function vanDeVusseOptimum(
  p: VanDeVusseParameters,
  options: {
    feed?: Pick<VanDeVusseInputs, 'feedConcentration' | 'feedTemperatureC'>;
    dilutionPerH?: readonly [number, number];
    jacketDutyKJPerH?: readonly [number, number];
    heatTransferFactor?: number;
  } = {},
): VanDeVusseOptimum {
  const feed = options.feed ?? nominalVanDeVusseInputs;
  const [dLo, dHi] = options.dilutionPerH ?? [3, 35];
  const [qLo, qHi] = options.jacketDutyKJPerH ?? [-9000, 0];
  const at = (D: number, Q: number): { v: number; s: VanDeVusseSteadyState } => {
    const u: VanDeVusseInputs = { ...feed, dilutionPerH: D, jacketDutyKJPerH: Q };
    const s = vanDeVusseSteadyState(p, u, { heatTransferFactor: options.heatTransferFactor });
    return { v: vanDeVusseProfit(p, u, s), s };
  };
  let bestGrid = { D: dLo, Q: qLo, v: -Infinity };
  for (let i = 0; i <= 32; i++) {
    for (let j = 0; j <= 18; j++) {
      const D = dLo + ((dHi - dLo) * i) / 32, Q = qLo + ((qHi - qLo) * j) / 18;
      const v = at(D, Q).v;
      if (v > bestGrid.v) bestGrid = { D, Q, v };
    }
  }
  const clip = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
  // Scaled coordinates so one simplex step means the same in D and Qk.
  const sd = dHi - dLo, sq = qHi - qLo;
  const nm = nelderMead((u) => {
    const D = clip(dLo + u[0] * sd, dLo, dHi), Q = clip(qLo + u[1] * sq, qLo, qHi);
    const outside = Math.abs(dLo + u[0] * sd - D) / sd + Math.abs(qLo + u[1] * sq - Q) / sq;
    return -at(D, Q).v + 1e4 * outside;
  }, [(bestGrid.D - dLo) / sd, (bestGrid.Q - qLo) / sq], { initialStep: [1 / 32, 1 / 18], pointTolerance: 1e-10 });
  let D = clip(dLo + nm.x[0] * sd, dLo, dHi);
  let Q = clip(qLo + nm.x[1] * sq, qLo, qHi);
  const near = (x: number, b: number, s: number): boolean => Math.abs(x - b) <= 1e-6 * s;
  const activeBounds: VanDeVusseOptimum['activeBounds'] = [];
  if (near(D, dLo, sd)) { D = dLo; activeBounds.push('D min'); }
  if (near(D, dHi, sd)) { D = dHi; activeBounds.push('D max'); }
  if (near(Q, qLo, sq)) { Q = qLo; activeBounds.push('Qk min'); }
  if (near(Q, qHi, sq)) { Q = qHi; activeBounds.push('Qk max'); }
  const dFixed = activeBounds.some((b) => b.startsWith('D'));
  const qFixed = activeBounds.some((b) => b.startsWith('Qk'));
  if (qFixed && !dFixed) {
    D = goldenMaximize((d) => at(d, Q).v, Math.max(dLo, D - 0.05 * sd), Math.min(dHi, D + 0.05 * sd), 1e-10).x;
  } else if (dFixed && !qFixed) {
    Q = goldenMaximize((q) => at(D, q).v, Math.max(qLo, Q - 0.05 * sq), Math.min(qHi, Q + 0.05 * sq), 1e-7).x;
  }
  const final = at(D, Q);
  return { dilutionPerH: D, jacketDutyKJPerH: Q, profit: final.v, activeBounds, state: final.s };
}
