/**
 * The true optimum of a Williams–Otto plant, computed by the simulator itself so that optimizers
 * working on learned models can be scored against it.
 *
 * Method (robust rather than fast; ~50 ms): a dense grid over the decision box finds the basin of
 * the global optimum; Nelder–Mead on an exact L1 penalty refines it; the active set found there
 * is then polished exactly — along an active constraint's curve g(F_B, T_R) = 0 by golden-section
 * search in F_B with T_R from a bracketed root, or at a vertex by a 2-D root solve — so the
 * reported optimum satisfies its active constraints to ~1e-12 and is stationary along them.
 */
import { nelderMead } from './numeric/nelderMead.js';
import { bracketRoot, goldenMaximize } from './numeric/scalar.js';
import { solveNonlinear } from './numeric/newton.js';
import {
  williamsOttoBounds,
  williamsOttoLimits,
  williamsOttoSteadyState,
  type WilliamsOttoParameters,
  type WilliamsOttoState,
} from './williamsOtto.js';

/** Names of the constraints that can be active at an optimum. */
export type WilliamsOttoConstraint = 'xA' | 'xG' | 'F_B min' | 'F_B max' | 'T_R min' | 'T_R max';

export interface WilliamsOttoOptimum {
  feedBKgPerS: number;
  temperatureC: number;
  profit: number;
  /** Constraints holding with equality (to 1e-7) at the optimum. */
  activeConstraints: WilliamsOttoConstraint[];
  state: WilliamsOttoState;
}

export interface WilliamsOttoOptimumOptions {
  /** Impose x_A <= limit and x_G <= limit. Default true. */
  constrained?: boolean;
  /** Product-quality limits. Default the published 0.12 / 0.08. */
  limits?: { xA: number; xG: number };
  /** Decision box. Default the benchmark box F_B in [3, 6], T_R in [70, 100]. */
  bounds?: { feedB: readonly [number, number]; temperatureC: readonly [number, number] };
  /** Grid points per axis of the global stage. Default 61. */
  gridPoints?: number;
}

/**
 * Maximises profit over (F_B, T_R), with or without the quality constraints.
 *
 * @example
 * const opt = williamsOttoOptimum(nominalWilliamsOtto, { constrained: false });
 * opt.feedBKgPerS; // ≈ 4.787; opt.temperatureC ≈ 89.70; opt.profit ≈ 190.98
 */
export function williamsOttoOptimum(p: WilliamsOttoParameters, options: WilliamsOttoOptimumOptions = {}): WilliamsOttoOptimum {
  const constrained = options.constrained ?? true;
  const limits = options.limits ?? williamsOttoLimits;
  const [fbLo, fbHi] = options.bounds?.feedB ?? williamsOttoBounds.feedB;
  const [tLo, tHi] = options.bounds?.temperatureC ?? williamsOttoBounds.temperatureC;
  const G = options.gridPoints ?? 61;

  // g_k(fb, T) <= 0, with names; quality constraints are scaled to O(1) per 1 % of mass fraction.
  type C = { name: WilliamsOttoConstraint; g: (s: WilliamsOttoState) => number };
  const constraints: C[] = [
    { name: 'F_B min', g: (s) => fbLo - s.feedBKgPerS },
    { name: 'F_B max', g: (s) => s.feedBKgPerS - fbHi },
    { name: 'T_R min', g: (s) => (tLo - s.temperatureC) / 10 },
    { name: 'T_R max', g: (s) => (s.temperatureC - tHi) / 10 },
  ];
  if (constrained) {
    constraints.push({ name: 'xA', g: (s) => (s.xA - limits.xA) * 100 });
    constraints.push({ name: 'xG', g: (s) => (s.xG - limits.xG) * 100 });
  }
  const solve = (fb: number, T: number): WilliamsOttoState => williamsOttoSteadyState(p, fb, T);
  const feasible = (s: WilliamsOttoState, slack = 1e-9): boolean => constraints.every((c) => c.g(s) <= slack);

  // 1. Global stage: grid.
  const starts: { fb: number; T: number; profit: number }[] = [];
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < G; j++) {
      const fb = fbLo + ((fbHi - fbLo) * i) / (G - 1);
      const T = tLo + ((tHi - tLo) * j) / (G - 1);
      const s = solve(fb, T);
      if (feasible(s)) starts.push({ fb, T, profit: s.profit });
    }
  }
  if (starts.length === 0) {
    throw new RangeError(`Williams–Otto optimum: no feasible grid point in F_B [${fbLo}, ${fbHi}], T_R [${tLo}, ${tHi}] with limits ${JSON.stringify(limits)}`);
  }
  starts.sort((a, b) => b.profit - a.profit);

  // 2. Local stage from the best few starts: exact-penalty Nelder–Mead, then active-set polish.
  const penaltyWeight = 1e5; // exceeds any multiplier of the scaled constraints ($/s per unit g)
  const penalized = (u: Float64Array): number => {
    const fb = Math.min(fbHi, Math.max(fbLo, u[0]));
    const T = Math.min(tHi, Math.max(tLo, u[1]));
    const s = solve(fb, T);
    let pen = Math.abs(u[0] - fb) + Math.abs(u[1] - T) / 10;
    for (const c of constraints) pen += Math.max(0, c.g(s));
    return -s.profit + penaltyWeight * pen;
  };
  let best: WilliamsOttoOptimum | null = null;
  for (const start of starts.slice(0, 3)) {
    const nm = nelderMead(penalized, [start.fb, start.T], {
      initialStep: [(fbHi - fbLo) / (G - 1), (tHi - tLo) / (G - 1)],
      pointTolerance: 1e-9,
    });
    const fb0 = Math.min(fbHi, Math.max(fbLo, nm.x[0]));
    const T0 = Math.min(tHi, Math.max(tLo, nm.x[1]));
    const candidate = polish(fb0, T0);
    if (candidate && (!best || candidate.profit > best.profit)) best = candidate;
  }
  if (!best) throw new RangeError('Williams–Otto optimum: local refinement found no feasible point');
  return best;

  function finish(fb: number, T: number): WilliamsOttoOptimum | null {
    const s = solve(fb, T);
    if (!feasible(s, 1e-7)) return null;
    return {
      feedBKgPerS: fb,
      temperatureC: T,
      profit: s.profit,
      activeConstraints: constraints.filter((c) => Math.abs(c.g(s)) <= 1e-5).map((c) => c.name),
      state: s,
    };
  }

  function polish(fb: number, T: number): WilliamsOttoOptimum | null {
    const s = solve(fb, T);
    const active = constraints.filter((c) => c.g(s) > -1e-4);
    const value = (fbv: number, Tv: number): number => {
      const st = solve(fbv, Tv);
      return feasible(st, 1e-9) ? st.profit : -Infinity;
    };
    const hw = 0.02 * (fbHi - fbLo), hT = 0.02 * (tHi - tLo);
    if (active.length === 0) {
      // Interior: the NM point is already stationary; one more tight NM on the plain objective.
      const nm = nelderMead((u) => -value(u[0], u[1]), [fb, T], { initialStep: [hw / 10, hT / 10], pointTolerance: 1e-11 });
      return finish(nm.x[0], nm.x[1]) ?? finish(fb, T);
    }
    if (active.length === 1) {
      const c = active[0];
      if (c.name === 'F_B min' || c.name === 'F_B max') {
        const fix = c.name === 'F_B min' ? fbLo : fbHi;
        const r = goldenMaximize((Tv) => value(fix, Tv), Math.max(tLo, T - hT), Math.min(tHi, T + hT), 1e-10);
        return finish(fix, r.x);
      }
      if (c.name === 'T_R min' || c.name === 'T_R max') {
        const fix = c.name === 'T_R min' ? tLo : tHi;
        const r = goldenMaximize((f) => value(f, fix), Math.max(fbLo, fb - hw), Math.min(fbHi, fb + hw), 1e-11);
        return finish(r.x, fix);
      }
      // Nonlinear quality constraint: follow its curve T_R(F_B).
      const curveT = (f: number): number | null =>
        bracketRoot((Tv) => c.g(solve(f, Tv)), Math.max(tLo, T - hT), Math.min(tHi, T + hT));
      const r = goldenMaximize((f) => {
        const Tv = curveT(f);
        return Tv === null ? -Infinity : value(f, Tv);
      }, Math.max(fbLo, fb - hw), Math.min(fbHi, fb + hw), 1e-11);
      const Tv = curveT(r.x);
      return Tv === null ? finish(fb, T) : finish(r.x, Tv);
    }
    // Two (or more) active: a vertex where the two most active constraints hold with equality.
    const [c1, c2] = active.sort((a, b) => b.g(s) - a.g(s));
    try {
      const v = solveNonlinear((u, out) => {
        const st = solve(u[0], u[1]);
        out[0] = c1.g(st);
        out[1] = c2.g(st);
      }, Float64Array.of(fb, T), { tolerance: 1e-11, label: `Williams–Otto vertex ${c1.name}/${c2.name}` });
      return finish(v.x[0], v.x[1]) ?? finish(fb, T);
    } catch {
      return finish(fb, T);
    }
  }
}
