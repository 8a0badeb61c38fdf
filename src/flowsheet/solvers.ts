/**
 * Tear-stream solvers for x = g(x), where g runs the flowsheet once around its recycles: direct
 * substitution, Wegstein (bounded q), Newton (Jacobian from autodiff, backtracking line search) and
 * Broyden (Sherman–Morrison update of the inverse Jacobian). All work on a batch of independent cases
 * at once (x is cases × size, row-major); each case converges, stalls or diverges on its own and keeps
 * its residual history. Every loop has an iteration cap: a recycle with no steady state ends as
 * `diverged` or `not_converged`, never as a hang.
 *
 * Wegstein as in Pyomo/FOQUS: s = Δg/Δx per variable, q = s/(s−1) clipped to [qMin, qMax]
 * (Pyomo: [−5, 0]), x⁺ = q x + (1−q) g(x). Broyden: Broyden 1965, "good" update of H ≈ (∂F/∂x)⁻¹,
 * F = g(x) − x.
 *
 * @example
 * const problem = { size: 1, evaluate: (x: Float64Array) => x.map((v) => 0.5 * v + 1) };
 * const sol = solveTears(problem, Float64Array.of(0), { method: 'wegstein' });
 * sol.cases[0].status; // 'converged', x ≈ 2
 */
import { CrucibleError } from '../errors.js';
import { luFactor, luSolve } from '../tensor/lu.js';

export type TearMethod = 'direct' | 'wegstein' | 'newton' | 'broyden';
export const tearMethods: readonly TearMethod[] = ['direct', 'wegstein', 'newton', 'broyden'];

/** The fixed-point map around the torn recycles, for a batch of cases. */
export interface TearProblem {
  /** Tear variables per case. */
  readonly size: number;
  /** g(x) for `cases` rows of x (cases × size, row-major); same shape out. */
  evaluate(x: Float64Array, cases: number): Float64Array;
  /** ∂g/∂x per case (cases × size × size, row-major); Newton needs it. */
  jacobian?(x: Float64Array, cases: number): Float64Array;
  /** Residuals are measured as |g − x| / scale per variable. Default: all ones. */
  readonly scale?: Float64Array;
  /** Which tear stream each variable belongs to, for messages. */
  readonly variableNames?: readonly string[];
  /** The same problem for some of the cases only, so finished cases cost nothing. Optional. */
  subset?(rows: readonly number[]): TearProblem;
}

export interface TearSolveOptions {
  /** Default 'direct'. */
  method?: TearMethod;
  /** Iteration cap per case. Default 200. */
  maxIterations?: number;
  /** Converged when max |g − x|/scale ≤ tolerance. Default 1e-8. */
  tolerance?: number;
  /** Diverged when the residual exceeds this or turns non-finite. Default 1e8. */
  divergenceLimit?: number;
  /** Wegstein bounds on q. Default [−5, 0]. */
  qMin?: number;
  qMax?: number;
  /** Newton line-search halvings per step. Default 12. */
  maxHalvings?: number;
}

export type TearStatus = 'converged' | 'not_converged' | 'diverged';

export interface TearCaseResult {
  readonly status: TearStatus;
  readonly iterations: number;
  /** Scaled residual max |g − x|/scale at each iterate, starting with the initial guess. */
  readonly residualHistory: number[];
  /** The variable with the largest final residual. */
  readonly worstVariable: number;
}

export interface TearSolution {
  /** Final iterates (cases × size). */
  readonly x: Float64Array;
  readonly cases: TearCaseResult[];
  readonly method: TearMethod;
}

/** Solves x = g(x) for every row of `x0` (cases × size). Never throws for non-convergence; see `assertConverged`. */
export function solveTears(problem: TearProblem, x0: Float64Array, options: TearSolveOptions = {}): TearSolution {
  const method = options.method ?? 'direct';
  const n = problem.size;
  if (x0.length % n !== 0 || x0.length === 0) {
    throw new RangeError(`solveTears: x0 has ${x0.length} values, not a positive multiple of the tear size ${n}`);
  }
  if (method === 'newton' && problem.jacobian === undefined) {
    throw new TypeError("solveTears: method 'newton' needs problem.jacobian");
  }
  const cases = x0.length / n;
  const s = new SolveState(problem, x0, options);
  const maxIterations = options.maxIterations ?? 200;
  const step = stepper(method, options);
  for (let it = 0; it < maxIterations && s.anyActive(); it++) step(s);
  const results: TearCaseResult[] = [];
  for (let c = 0; c < cases; c++) {
    const st = s.status[c];
    const status: TearStatus = st === 'active' ? 'not_converged' : st;
    results.push({ status, iterations: s.history[c].length - 1, residualHistory: s.history[c], worstVariable: s.worst[c] });
  }
  return { x: s.x, cases: results, method };
}

/**
 * Throws `NOT_CONVERGED` for the first case that did not converge, naming the method, the tear
 * variable with the largest residual and the residual history.
 */
export function assertConverged(solution: TearSolution, problem: Pick<TearProblem, 'variableNames'>): void {
  solution.cases.forEach((c, i) => {
    if (c.status === 'converged') return;
    const variable = problem.variableNames?.[c.worstVariable] ?? `variable ${c.worstVariable}`;
    const tail = c.residualHistory.slice(-5).map((r) => r.toExponential(2)).join(', ');
    const why = c.status === 'diverged' ? 'diverged (recycle without a steady state, or a step away from it)' : 'did not converge';
    throw new CrucibleError(
      'NOT_CONVERGED',
      `tear solver '${solution.method}' ${why} for case ${i} after ${c.iterations} iterations; largest residual in tear ${variable}; last residuals: ${tail}`,
      { case: i, method: solution.method, tear: variable, status: c.status, residualHistory: c.residualHistory },
    );
  });
}

type CaseState = 'active' | 'converged' | 'diverged';

/** Iterates, the last g, per-case status and residual histories. */
class SolveState {
  readonly n: number;
  readonly cases: number;
  readonly x: Float64Array;
  g: Float64Array;
  readonly status: CaseState[];
  readonly history: number[][];
  readonly worst: Int32Array;
  readonly scale: Float64Array;
  private readonly tolerance: number;
  private readonly divergenceLimit: number;

  constructor(readonly problem: TearProblem, x0: Float64Array, options: TearSolveOptions) {
    this.n = problem.size;
    this.cases = x0.length / this.n;
    this.x = x0.slice();
    this.scale = problem.scale ?? new Float64Array(this.n).fill(1);
    this.tolerance = options.tolerance ?? 1e-8;
    this.divergenceLimit = options.divergenceLimit ?? 1e8;
    this.status = new Array<CaseState>(this.cases).fill('active');
    this.history = Array.from({ length: this.cases }, () => []);
    this.worst = new Int32Array(this.cases);
    this.g = problem.evaluate(this.x, this.cases);
    this.record();
  }

  anyActive(): boolean {
    return this.status.includes('active');
  }

  /** Scaled residual max |g − x|/scale of case c, and where it is largest. */
  residual(x: Float64Array, g: Float64Array, c: number): { value: number; at: number } {
    let value = 0;
    let at = 0;
    for (let i = 0; i < this.n; i++) {
      const r = Math.abs(g[c * this.n + i] - x[c * this.n + i]) / this.scale[i];
      if (!(r <= value)) {
        value = r;
        at = i;
      }
    }
    return { value, at };
  }

  /** Appends the current residual of each active case and updates its status. */
  record(): void {
    for (let c = 0; c < this.cases; c++) {
      if (this.status[c] !== 'active') continue;
      const { value, at } = this.residual(this.x, this.g, c);
      this.history[c].push(value);
      this.worst[c] = at;
      if (!Number.isFinite(value) || value > this.divergenceLimit) this.status[c] = 'diverged';
      else if (value <= this.tolerance) this.status[c] = 'converged';
    }
  }

  /** Moves active cases to `next` and re-evaluates g there. */
  accept(next: Float64Array): void {
    for (let c = 0; c < this.cases; c++) {
      if (this.status[c] === 'active') this.x.set(next.subarray(c * this.n, (c + 1) * this.n), c * this.n);
    }
    this.g = this.evaluate(this.x, this.activeRows(), this.g);
    this.record();
  }

  activeRows(): number[] {
    const rows: number[] = [];
    for (let c = 0; c < this.cases; c++) if (this.status[c] === 'active') rows.push(c);
    return rows;
  }

  /** g at `x` for `rows` (other rows copied from `fill`), through `problem.subset` when it helps. */
  evaluate(x: Float64Array, rows: readonly number[], fill: Float64Array): Float64Array {
    if (rows.length === this.cases || this.problem.subset === undefined) return this.problem.evaluate(x, this.cases);
    const out = fill.slice();
    if (rows.length === 0) return out;
    const g = this.problem.subset(rows).evaluate(gather(x, rows, this.n), rows.length);
    rows.forEach((r, i) => out.set(g.subarray(i * this.n, (i + 1) * this.n), r * this.n));
    return out;
  }

  /** ∂g/∂x for `rows` (zeros elsewhere). */
  jacobian(x: Float64Array, rows: readonly number[]): Float64Array {
    const nn = this.n * this.n;
    if (rows.length === this.cases || this.problem.subset === undefined) return this.problem.jacobian!(x, this.cases);
    const out = new Float64Array(this.cases * nn);
    const j = this.problem.subset(rows).jacobian!(gather(x, rows, this.n), rows.length);
    rows.forEach((r, i) => out.set(j.subarray(i * nn, (i + 1) * nn), r * nn));
    return out;
  }
}

function stepper(method: TearMethod, options: TearSolveOptions): (s: SolveState) => void {
  switch (method) {
    case 'direct':
      return (s) => s.accept(s.g.slice());
    case 'wegstein':
      return wegstein(options.qMin ?? -5, options.qMax ?? 0);
    case 'newton':
      return newton(options.maxHalvings ?? 12);
    case 'broyden':
      return broyden();
  }
}

function wegstein(qMin: number, qMax: number): (s: SolveState) => void {
  let previous: { x: Float64Array; g: Float64Array } | null = null;
  return (s) => {
    const next = s.g.slice();
    if (previous !== null) {
      for (let k = 0; k < next.length; k++) {
        const dx = s.x[k] - previous.x[k];
        if (Math.abs(dx) < 1e-14 * (1 + Math.abs(s.x[k]))) continue; // no secant: plain substitution
        const slope = (s.g[k] - previous.g[k]) / dx;
        let q = slope / (slope - 1);
        if (!Number.isFinite(q)) q = qMin;
        q = Math.min(qMax, Math.max(qMin, q));
        next[k] = q * s.x[k] + (1 - q) * s.g[k];
      }
    }
    previous = { x: s.x.slice(), g: s.g.slice() };
    s.accept(next);
  };
}

function newton(maxHalvings: number): (s: SolveState) => void {
  return (s) => {
    const { n, cases } = s;
    const jac = s.jacobian(s.x, s.activeRows());
    const dx = new Float64Array(cases * n);
    for (let c = 0; c < cases; c++) {
      if (s.status[c] !== 'active') continue;
      // ∂F/∂x = ∂g/∂x − I; solve (∂F/∂x) Δx = −F.
      const a = jac.slice(c * n * n, (c + 1) * n * n);
      for (let i = 0; i < n; i++) a[i * n + i] -= 1;
      const rhs = new Float64Array(n);
      for (let i = 0; i < n; i++) rhs[i] = s.x[c * n + i] - s.g[c * n + i];
      try {
        luSolve(luFactor(a, n, 'newton'), rhs, 1, false);
      } catch {
        // A singular Jacobian: fall back to a substitution step for this case.
        for (let i = 0; i < n; i++) rhs[i] = s.g[c * n + i] - s.x[c * n + i];
      }
      dx.set(rhs, c * n);
    }
    // Backtracking on ‖F‖: halve the step until the residual decreases (Armijo-like, per case).
    const f0 = Array.from({ length: cases }, (_, c) => norm2(s.x, s.g, c, n, s.scale));
    const t = new Float64Array(cases).fill(1);
    const done = s.status.map((st) => st !== 'active');
    const trial = s.x.slice();
    for (let h = 0; h <= maxHalvings; h++) {
      for (let c = 0; c < cases; c++) {
        if (done[c]) continue;
        for (let i = 0; i < n; i++) trial[c * n + i] = s.x[c * n + i] + t[c] * dx[c * n + i];
      }
      const rows: number[] = [];
      for (let c = 0; c < cases; c++) if (!done[c]) rows.push(c);
      const g = s.evaluate(trial, rows, s.g);
      let pending = false;
      for (let c = 0; c < cases; c++) {
        if (done[c]) continue;
        const f = norm2(trial, g, c, n, s.scale);
        if ((Number.isFinite(f) && f <= (1 - 1e-4 * t[c]) * f0[c]) || h === maxHalvings) done[c] = true;
        else {
          t[c] /= 2;
          pending = true;
        }
      }
      if (!pending) break;
    }
    s.accept(trial);
  };
}

function broyden(): (s: SolveState) => void {
  // H starts as −I, so the first step is a substitution step (x − H F = x + F = g).
  let h: Float64Array | null = null;
  let previous: { x: Float64Array; f: Float64Array } | null = null;
  return (s) => {
    const { n, cases } = s;
    const f = new Float64Array(cases * n);
    for (let k = 0; k < f.length; k++) f[k] = s.g[k] - s.x[k];
    if (h === null) {
      h = new Float64Array(cases * n * n);
      for (let c = 0; c < cases; c++) for (let i = 0; i < n; i++) h[c * n * n + i * n + i] = -1;
    }
    const next = s.x.slice();
    for (let c = 0; c < cases; c++) {
      if (s.status[c] !== 'active') continue;
      const hc = h.subarray(c * n * n, (c + 1) * n * n);
      if (previous !== null) sherman(hc, n, c, previous.x, s.x, previous.f, f);
      for (let i = 0; i < n; i++) {
        let d = 0;
        for (let j = 0; j < n; j++) d += hc[i * n + j] * f[c * n + j];
        next[c * n + i] = s.x[c * n + i] - d;
      }
    }
    previous = { x: s.x.slice(), f };
    s.accept(next);
  };
}

/** H ← H + (Δx − H Δf) Δxᵀ H / (Δxᵀ H Δf): the Sherman–Morrison form of Broyden's good update. */
function sherman(hc: Float64Array, n: number, c: number, x0: Float64Array, x1: Float64Array, f0: Float64Array, f1: Float64Array): void {
  const dx = new Float64Array(n);
  const df = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dx[i] = x1[c * n + i] - x0[c * n + i];
    df[i] = f1[c * n + i] - f0[c * n + i];
  }
  const hdf = new Float64Array(n);
  const dxh = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    hdf[i] += hc[i * n + j] * df[j];
    dxh[j] += dx[i] * hc[i * n + j];
  }
  let denom = 0;
  for (let i = 0; i < n; i++) denom += dx[i] * hdf[i];
  let dxNorm = 0;
  for (let i = 0; i < n; i++) dxNorm += dx[i] * dx[i];
  if (!(Math.abs(denom) > 1e-12 * dxNorm) || dxNorm === 0) return; // degenerate secant: keep H
  for (let i = 0; i < n; i++) {
    const u = (dx[i] - hdf[i]) / denom;
    for (let j = 0; j < n; j++) hc[i * n + j] += u * dxh[j];
  }
}

function gather(x: Float64Array, rows: readonly number[], n: number): Float64Array {
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, i) => out.set(x.subarray(r * n, (r + 1) * n), i * n));
  return out;
}

function norm2(x: Float64Array, g: Float64Array, c: number, n: number, scale: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += ((g[c * n + i] - x[c * n + i]) / scale[i]) ** 2;
  return Math.sqrt(s);
}
