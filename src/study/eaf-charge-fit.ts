/**
 * Federated fitting of the EAF charge model (`eaf-charge-model.ts`) by alternating least squares
 * over summed sufficient statistics:
 *
 * 1. every plant fits its own factors (θ, τ, ρ, s, π) to its heats given the current shared
 *    coefficients — closed forms and a 5-term least squares, on its data only;
 * 2. every plant computes the normal equations of the shared coefficients given its factors
 *    (relative-error weighted: Σ w φφᵀ and Σ w φ m per element, for steel and for energy), and the
 *    coordinator learns only their SUM through a `Summation` (secure aggregation's hides each
 *    plant's share) and solves them.
 *
 * Each step lowers the same weighted least-squares loss, so the iteration converges to a joint fit
 * that no plant's data alone determines. Plain alternation zig-zags along the coupling of plant
 * factors and shared contents (hundreds of rounds); Anderson acceleration of the shared
 * coefficients makes it tens. Stochastic-gradient rounds would crawl along the ill-conditioned
 * directions of collinear charge tonnages. Bootstrap
 * members (each plant resampling its own heats) give the model's uncertainty; one plant gives the
 * local-only fit of the same model.
 *
 * This file holds the arithmetic (pure); `eaf-charge-federation.ts` runs it over a grid.
 *
 * @example
 * const f = fitPlantFactors(coefficients, heats);           // at the plant
 * const { gram, rhs } = plantNormalEquations(coefficients, f, heats);
 * const next = solveSharedCoefficients(template, Σgram, Σrhs); // at the coordinator, from sums only
 */
import { luFactor, luSolve } from '../tensor/lu.js';
import { eafModelElements, neutralFactors, plantContentFactors, trampElements, type EafCoefficients, type EafPlantFactors } from './eaf-charge-model.js';

/** One plant's heats: x = [charge_j…, O2, gas, t_tap] and y = [steel_t, kWh/t, tap wt%…] rows. */
export interface Heats {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

const E = eafModelElements.length;
/** One normal-equation block per element, then steel, then energy. */
export const eafNormalBlocks = E + 2;
const blocks = eafNormalBlocks;

/** Measured steel [t], energy [kWh] and element masses [t] of heat i. */
function measured(h: Heats, i: number, cols: number): { steel: number; energy: number; mass: (k: number) => number } {
  const row = h.y.subarray(i * cols, (i + 1) * cols);
  return { steel: row[0], energy: row[0] * row[1], mass: (k) => (row[2 + k] / 100) * row[0] };
}

/**
 * The plant's own factors given the shared coefficients (its data only). Relative-error fits
 * weighted by the model's prediction, not the noisy measurement (which would bias every factor
 * low): mean ratios for θ and ρ, a weighted least squares for τ and for the energy terms.
 */
export function fitPlantFactors(c: EafCoefficients, h: Heats, previous: EafPlantFactors = neutralFactors()): EafPlantFactors {
  const J = c.materials.length;
  const cols = 2 + E;
  const f = neutralFactors();
  const obsolete = c.materials.map((id) => c.obsolete.includes(id));
  let yieldRatio = 0;
  const recoveryRatio = new Float64Array(E);
  const recoveryCount = new Float64Array(E);
  const tramp = Array.from({ length: E }, () => ({ num: 0, den: 0 }));
  const energy = { gram: new Float64Array(25), rhs: new Float64Array(5) };
  const pe = previous.energy;
  for (let i = 0; i < h.n; i++) {
    const x = h.x.subarray(i * (J + 3), (i + 1) * (J + 3));
    const m = measured(h, i, cols);
    let steel = 0;
    let melt = 0;
    for (let j = 0; j < J; j++) {
      steel += x[j] * c.yield[j];
      melt += x[j] * c.meltEnergy[j];
    }
    yieldRatio += m.steel / steel;
    for (let k = 0; k < E; k++) {
      let base = 0;
      let old = 0;
      for (let j = 0; j < J; j++) {
        const v = x[j] * c.content[j * E + k];
        if (obsolete[j]) old += v;
        else base += v;
      }
      const mass = m.mass(k);
      if (trampElements.has(eafModelElements[k])) {
        // m ≈ base + t·old, weighted by 1/m̂²: t = Σ w·old·(m − base) / Σ w·old².
        const predicted = base + Math.exp(previous.scrapQuality[k]) * old;
        if (!(predicted > 0)) continue;
        const w = 1 / (predicted * predicted);
        tramp[k].num += w * old * (mass - base);
        tramp[k].den += w * old * old;
      } else if (base + old > 0) {
        recoveryRatio[k] += mass / (base + old);
        recoveryCount[k]++;
      }
    }
    // E ≈ s·melt + π·(O2, gas, t) + π₀, weighted by 1/Ê².
    const phi = [melt, x[J], x[J + 1], x[J + 2], 1];
    const predictedEnergy = pe.scale * melt + pe.practice[0] * x[J] + pe.practice[1] * x[J + 1] + pe.practice[2] * x[J + 2] + pe.perHeatKWh;
    const w = 1 / (predictedEnergy > 0 ? predictedEnergy * predictedEnergy : m.energy * m.energy);
    for (let a = 0; a < 5; a++) {
      energy.rhs[a] += w * phi[a] * m.energy;
      for (let b = 0; b < 5; b++) energy.gram[a * 5 + b] += w * phi[a] * phi[b];
    }
  }
  f.yieldFactor = Math.log(yieldRatio / h.n);
  for (let k = 0; k < E; k++) {
    if (trampElements.has(eafModelElements[k])) f.scrapQuality[k] = tramp[k].den > 0 && tramp[k].num > 0 ? Math.log(tramp[k].num / tramp[k].den) : 0;
    else f.recovery[k] = recoveryCount[k] > 0 ? Math.log(recoveryRatio[k] / recoveryCount[k]) : 0;
  }
  const sol = solveRidge(energy.gram, energy.rhs, 5);
  f.energy = { scale: sol[0], practice: sol.slice(1, 4), perHeatKWh: sol[4] };
  return f;
}

/** The plant's normal equations of the shared coefficients given its factors: (E + 2) blocks of J×J and J. */
export function plantNormalEquations(c: EafCoefficients, f: EafPlantFactors, h: Heats): { gram: Float64Array; rhs: Float64Array; sse: Float64Array } {
  const J = c.materials.length;
  const cols = 2 + E;
  const g = plantContentFactors(c, f);
  const gram = new Float64Array(blocks * J * J);
  const rhs = new Float64Array(blocks * J);
  // Weighted residual sums of squares at the current coefficients: each block's noise level.
  const sse = new Float64Array(blocks);
  const current = c.content;
  const fitted = c.known.length > 0;
  const phi = new Float64Array(J);
  const add = (block: number, target: number, w: number): void => {
    const G = block * J * J;
    let predicted = 0;
    for (let a = 0; a < J; a++) predicted += phi[a] * (block < E ? current[a * E + block] : block === E ? c.yield[a] : c.meltEnergy[a]);
    sse[block] += w * (target - predicted) ** 2;
    for (let a = 0; a < J; a++) {
      if (phi[a] === 0) continue;
      rhs[block * J + a] += w * phi[a] * target;
      for (let b = 0; b < J; b++) gram[G + a * J + b] += w * phi[a] * phi[b];
    }
  };
  for (let i = 0; i < h.n; i++) {
    const x = h.x.subarray(i * (J + 3), (i + 1) * (J + 3));
    const m = measured(h, i, cols);
    // Weights 1/m̂² from the current prediction (iteratively reweighted); the measurement before any fit.
    const weight = (block: number, target: number, offset = 0): number => {
      let predicted = offset;
      for (let a = 0; a < J; a++) predicted += phi[a] * (block < E ? current[a * E + block] : block === E ? c.yield[a] : c.meltEnergy[a]);
      const scale = fitted && predicted > 0 ? predicted : target;
      return 1 / (scale * scale);
    };
    for (let k = 0; k < E; k++) {
      const mass = m.mass(k);
      for (let j = 0; j < J; j++) phi[j] = x[j] * g[j * E + k];
      add(k, mass, weight(k, mass));
    }
    for (let j = 0; j < J; j++) phi[j] = x[j] * Math.exp(f.yieldFactor);
    add(E, m.steel, weight(E, m.steel));
    const practice = f.energy.practice[0] * x[J] + f.energy.practice[1] * x[J + 1] + f.energy.practice[2] * x[J + 2] + f.energy.perHeatKWh;
    for (let j = 0; j < J; j++) phi[j] = x[j] * f.energy.scale;
    add(E + 1, m.energy - practice, weight(E + 1, m.energy, practice));
  }
  return { gram, rhs, sse };
}

/** A Gaussian prior on contents: mean a0 (row-major materials × elements; NaN = none) with a relative sd. */
export interface EafContentPrior {
  content: Float64Array;
  relativeStd: number;
}

/**
 * Shared coefficients from the summed normal equations; materials nobody charged stay unknown (0).
 * With a prior, each element's data term is weighted by its noise level (the summed residuals
 * `sse` over `count` heats) and the prior adds (a − a0)²/(σ_rel·a0)² — the posterior mode.
 */
export function solveSharedCoefficients(
  template: Pick<EafCoefficients, 'materials' | 'obsolete'>,
  gram: Float64Array,
  rhs: Float64Array,
  prior?: EafContentPrior & { sse: Float64Array; count: number },
): EafCoefficients {
  const J = template.materials.length;
  const known = template.materials.filter((_, j) => gram[E * J * J + j * J + j] > 0);
  const content = new Float64Array(J * E);
  const yieldT = new Float64Array(J);
  const meltEnergy = new Float64Array(J);
  for (let block = 0; block < blocks; block++) {
    let G: Float64Array = gram.subarray(block * J * J, (block + 1) * J * J);
    let r: Float64Array = rhs.subarray(block * J, (block + 1) * J);
    if (prior !== undefined && block < E) ({ G, r } = withPrior(G, r, J, block, prior));
    // Contents and yields are masses (Lawson–Hanson non-negative least squares); energies may be negative.
    const sol = block <= E ? solveNonNegative(G, r, J) : solveRidge(G, r, J);
    for (let j = 0; j < J; j++) {
      // A tiny floor on yields keeps the ratios (wt%, kWh/t) defined for every known material.
      if (block < E) content[j * E + block] = sol[j];
      else if (block === E) yieldT[j] = Math.max(sol[j], 1e-9);
      else meltEnergy[j] = sol[j];
    }
  }
  return { materials: template.materials, obsolete: template.obsolete, content, yield: yieldT, meltEnergy, known };
}

/** The normal equations of one element's block with the prior added (data scaled by its noise variance). */
function withPrior(G0: Float64Array, r0: Float64Array, J: number, block: number, prior: EafContentPrior & { sse: Float64Array; count: number }): { G: Float64Array; r: Float64Array } {
  const noise = Math.max(prior.sse[block] / prior.count, 1e-12);
  const G = Float64Array.from(G0, (v) => v / noise);
  const r = Float64Array.from(r0, (v) => v / noise);
  for (let j = 0; j < J; j++) {
    const a0 = prior.content[j * E + block];
    if (!Number.isFinite(a0) || G0[j * J + j] === 0) continue;
    // A zero prior mean (an element a grade does not carry) gets an absolute sd from the element's typical content.
    let typical = 0;
    for (let q = 0; q < J; q++) if (Number.isFinite(prior.content[q * E + block])) typical = Math.max(typical, prior.content[q * E + block]);
    const sd = prior.relativeStd * (a0 > 0 ? a0 : 0.01 * typical);
    if (!(sd > 0)) continue;
    G[j * J + j] += 1 / (sd * sd);
    r[j] += a0 / (sd * sd);
  }
  return { G, r };
}

/**
 * min ‖Xβ − y‖² s.t. β ≥ 0 from the normal equations (G = XᵀX, r = Xᵀy) by the active-set method
 * of Lawson & Hanson ("Solving Least Squares Problems", 1974, ch. 23).
 */
export function solveNonNegative(gram: ArrayLike<number>, rhs: ArrayLike<number>, p: number): Float64Array {
  const free = new Set<number>();
  let beta: Float64Array = new Float64Array(p);
  const withData = Array.from({ length: p }, (_, a) => a).filter((a) => gram[a * p + a] > 0);
  for (let outer = 0; outer < 3 * p; outer++) {
    // Gradient of ½‖Xβ − y‖² is Gβ − r: a bound variable with negative gradient may enter.
    let enter = -1;
    let best = 0;
    for (const a of withData) {
      if (free.has(a)) continue;
      let w = rhs[a];
      for (let b = 0; b < p; b++) w -= gram[a * p + b] * beta[b];
      if (w > best * (1 + 1e-12) && w > 1e-14 * Math.abs(rhs[a])) {
        best = w;
        enter = a;
      }
    }
    if (enter < 0) break;
    free.add(enter);
    for (let inner = 0; inner < 3 * p; inner++) {
      const z = solveRidge(gram, rhs, p, free);
      const negative = [...free].filter((a) => z[a] <= 0);
      if (negative.length === 0) {
        beta = z;
        break;
      }
      // Step from β towards z until the first free variable reaches 0; it leaves the free set.
      let alpha = 1;
      for (const a of negative) alpha = Math.min(alpha, beta[a] / (beta[a] - z[a]));
      for (let a = 0; a < p; a++) beta[a] += alpha * (z[a] - beta[a]);
      for (const a of [...free]) if (beta[a] <= 1e-15) {
        free.delete(a);
        beta[a] = 0;
      }
    }
  }
  return beta;
}

/** Solves (G + εI)β = r restricted to `columns` (default: those with data); the others get 0. */
function solveRidge(gram: ArrayLike<number>, rhs: ArrayLike<number>, p: number, columns?: ReadonlySet<number>): Float64Array {
  const active = Array.from({ length: p }, (_, a) => a).filter((a) => gram[a * p + a] > 0 && (columns === undefined || columns.has(a)));
  const q = active.length;
  const out = new Float64Array(p);
  if (q === 0) return out;
  let trace = 0;
  for (const a of active) trace += gram[a * p + a];
  const G = new Float64Array(q * q);
  const r = new Float64Array(q);
  active.forEach((a, i) => {
    r[i] = rhs[a];
    active.forEach((b, k) => (G[i * q + k] = gram[a * p + b]));
    // A ridge of 1e-12 of the mean diagonal only guards exact collinearity.
    G[i * q + i] += (1e-12 * trace) / q;
  });
  luSolve(luFactor(G, q), r, 1, false);
  active.forEach((a, i) => (out[a] = r[i]));
  return out;
}

/**
 * Anderson acceleration (Walker & Ni, SIAM J. Numer. Anal. 49, 2011) of the alternating fixed-point
 * map x ↦ g(x) on the shared coefficients, with a history of `depth` steps: the next iterate is the
 * combination of recent g(x) whose residuals g(x) − x cancel best in least squares. Masses stay
 * non-negative; unknown materials stay 0.
 */
export function andersonAccelerator(depth: number) {
  const xs: Float64Array[] = [];
  const gs: Float64Array[] = [];
  const pack = (c: EafCoefficients): Float64Array => Float64Array.from([...c.content, ...c.yield, ...c.meltEnergy]);
  return {
    next(old: EafCoefficients, solved: EafCoefficients): EafCoefficients {
      if (depth === 0) return solved;
      xs.push(pack(old));
      gs.push(pack(solved));
      if (xs.length > depth + 1) {
        xs.shift();
        gs.shift();
      }
      const k = xs.length;
      const n = xs[0].length;
      const f = xs.map((x, i) => Float64Array.from(x, (v, j) => gs[i][j] - v));
      let mixed = gs[k - 1];
      if (k > 1) {
        // min ‖f_k − Σ γ_i (f_{i+1} − f_i)‖ over γ, by the normal equations of the differences.
        const m = k - 1;
        const dF = Array.from({ length: m }, (_, i) => Float64Array.from(f[i + 1], (v, j) => v - f[i][j]));
        const dG = Array.from({ length: m }, (_, i) => Float64Array.from(gs[i + 1], (v, j) => v - gs[i][j]));
        const A = new Float64Array(m * m);
        const b = new Float64Array(m);
        let trace = 0;
        for (let a = 0; a < m; a++) {
          for (let c = 0; c < m; c++) for (let j = 0; j < n; j++) A[a * m + c] += dF[a][j] * dF[c][j];
          for (let j = 0; j < n; j++) b[a] += dF[a][j] * f[k - 1][j];
          trace += A[a * m + a];
        }
        for (let a = 0; a < m; a++) A[a * m + a] += 1e-10 * trace + 1e-300;
        luSolve(luFactor(A, m), b, 1, false);
        mixed = Float64Array.from(gs[k - 1], (v, j) => {
          let s = v;
          for (let a = 0; a < m; a++) s -= b[a] * dG[a][j];
          return s;
        });
      }
      const J = old.yield.length;
      const nc = old.content.length;
      const content = Float64Array.from(solved.content, (v, i) => (v === 0 && !solved.known.includes(solved.materials[Math.floor(i / (nc / J))]) ? 0 : Math.max(0, mixed[i])));
      const yieldT = Float64Array.from(solved.yield, (_, j) => Math.max(1e-9, mixed[nc + j]));
      const meltEnergy = Float64Array.from(solved.meltEnergy, (_, j) => mixed[nc + J + j]);
      return { ...solved, content, yield: yieldT, meltEnergy };
    },
  };
}
