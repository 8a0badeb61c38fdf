/**
 * Explicit Runge–Kutta 5(4) of Dormand & Prince (J. Comput. Appl. Math. 6, 1980) with local
 * error control and the 4th-order continuous extension of Hairer, Nørsett & Wanner
 * ("Solving ODEs I", 2nd ed., §II.6; coefficients as in their DOPRI5 code and SciPy's RK45).
 *
 * For non-stiff plant models (the van de Vusse CSTR's fastest mode is the jacket, ~0.01 h).
 * Inputs that jump (setpoint steps) must be handled by the caller integrating piecewise between
 * jumps — the error control assumes a smooth right-hand side.
 */
import { CrucibleError } from '../../errors.js';

/** dy/dt = f(t, y), written into `dydt`. */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;

export interface OdeOptions {
  /** Relative tolerance per component. Default 1e-6. */
  relTol?: number;
  /** Absolute tolerance per component. Default 1e-9. */
  absTol?: number;
  /** First step size; default chosen automatically (Hairer's algorithm). */
  initialStep?: number;
  /** Largest step size. Default unbounded. */
  maxStep?: number;
  /** Step budget per call. Default 1e6. */
  maxSteps?: number;
}

export interface OdeSolution {
  /** Output times (as requested). */
  times: Float64Array;
  /** States at the output times, row-major (times.length × n). */
  states: Float64Array;
  /** Accepted and rejected steps. */
  acceptedSteps: number;
  rejectedSteps: number;
  /** The last accepted step size, to warm-start the next call. */
  lastStep: number;
}

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1];
const A: number[][] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
];
const B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
// b − b̂: the embedded 4th-order error estimate.
const E = [-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40];
// Dense output: y(t+θh) = y + h Σ_i K_i Σ_j P[i][j] θ^(j+1).
const P = [
  [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
  [0, 0, 0, 0],
  [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
  [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
  [0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
  [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
  [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
];

/**
 * Integrates dy/dt = f(t, y) from (t0, y0) and returns y at each of `times` (ascending, all
 * >= t0), using dense output between steps so the step size is set by accuracy, not by the
 * output grid.
 *
 * @example
 * // y' = -y, y(0) = 1  →  y(1) = e^-1
 * const sol = integrateOde((t, y, d) => { d[0] = -y[0]; }, 0, Float64Array.of(1), [1]);
 * sol.states[0]; // 0.36787944...
 */
export function integrateOde(
  f: OdeRhs,
  t0: number,
  y0: Float64Array,
  times: ArrayLike<number>,
  options: OdeOptions = {},
): OdeSolution {
  const n = y0.length;
  const relTol = options.relTol ?? 1e-6;
  const absTol = options.absTol ?? 1e-9;
  const maxStep = options.maxStep ?? Infinity;
  const maxSteps = options.maxSteps ?? 1_000_000;
  const out = new Float64Array(times.length * n);
  for (let i = 0; i < times.length; i++) {
    if (!(times[i] >= (i === 0 ? t0 : times[i - 1]))) {
      throw new RangeError(`integrateOde: output times must be ascending and >= t0=${t0}; times[${i}]=${times[i]}`);
    }
  }
  const tEnd = times.length > 0 ? times[times.length - 1] : t0;

  const K = Array.from({ length: 7 }, () => new Float64Array(n));
  let y = Float64Array.from(y0);
  let yNew = new Float64Array(n);
  const yStage = new Float64Array(n);
  let t = t0;
  let next = 0;
  while (next < times.length && times[next] === t0) out.set(y, n * next++);
  f(t, y, K[0]);
  let h = Math.min(options.initialStep ?? initialStepSize(f, t, y, K[0], relTol, absTol), maxStep, tEnd - t0);
  let accepted = 0;
  let rejected = 0;
  const weight = (a: number, b: number): number => absTol + relTol * Math.max(Math.abs(a), Math.abs(b));

  while (next < times.length) {
    if (accepted + rejected >= maxSteps) {
      throw new CrucibleError('NOT_CONVERGED', `integrateOde: step budget ${maxSteps} exhausted at t=${t} (target ${tEnd})`, { t, tEnd });
    }
    if (t + h > tEnd) h = tEnd - t;
    if (!(h > 1e-14 * Math.max(1, Math.abs(t)))) {
      throw new CrucibleError('NOT_CONVERGED', `integrateOde: step size underflow (h=${h}) at t=${t}; the system may be stiff or singular`, { t, h });
    }
    for (let s = 1; s < 6; s++) {
      for (let i = 0; i < n; i++) {
        let acc = y[i];
        for (let j = 0; j < s; j++) acc += h * A[s][j] * K[j][i];
        yStage[i] = acc;
      }
      f(t + C[s] * h, yStage, K[s]);
    }
    for (let i = 0; i < n; i++) {
      let acc = y[i];
      for (let j = 0; j < 6; j++) acc += h * B[j] * K[j][i];
      yNew[i] = acc;
    }
    f(t + h, yNew, K[6]); // FSAL: reused as K[0] of the next step
    let errSq = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < 7; j++) e += E[j] * K[j][i];
      const r = (h * e) / weight(y[i], yNew[i]);
      errSq += r * r;
    }
    const err = Math.sqrt(errSq / n);
    if (err <= 1 && Number.isFinite(err)) {
      const tNew = t + h;
      // Emit every output time inside (t, tNew] by the continuous extension.
      while (next < times.length && times[next] <= tNew) {
        const theta = (times[next] - t) / h;
        const base = n * next;
        if (times[next] === tNew) out.set(yNew, base);
        else denseInto(out, base, y, K, h, theta, n);
        next++;
      }
      const swap = y; y = yNew; yNew = swap;
      const k0 = K[0]; K[0] = K[6]; K[6] = k0;
      t = tNew;
      accepted++;
      h *= Math.min(10, 0.9 * Math.pow(Math.max(err, 1e-10), -0.2));
      h = Math.min(h, maxStep);
    } else {
      rejected++;
      h *= Number.isFinite(err) ? Math.max(0.2, 0.9 * Math.pow(err, -0.2)) : 0.1;
    }
  }
  return { times: Float64Array.from(times), states: out, acceptedSteps: accepted, rejectedSteps: rejected, lastStep: h };
}

function denseInto(out: Float64Array, base: number, y: Float64Array, K: Float64Array[], h: number, theta: number, n: number): void {
  const th = [theta, theta * theta, theta ** 3, theta ** 4];
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let s = 0; s < 7; s++) {
      const p = P[s];
      acc += K[s][i] * (p[0] * th[0] + p[1] * th[1] + p[2] * th[2] + p[3] * th[3]);
    }
    out[base + i] = y[i] + h * acc;
  }
}

/** Hairer, Nørsett & Wanner, Solving ODEs I, §II.4 "Starting step size". */
function initialStepSize(f: OdeRhs, t: number, y: Float64Array, f0: Float64Array, relTol: number, absTol: number): number {
  const n = y.length;
  let d0 = 0, d1 = 0;
  for (let i = 0; i < n; i++) {
    const sc = absTol + relTol * Math.abs(y[i]);
    d0 += (y[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / n);
  d1 = Math.sqrt(d1 / n);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  const y1 = new Float64Array(n);
  const f1 = new Float64Array(n);
  for (let i = 0; i < n; i++) y1[i] = y[i] + h0 * f0[i];
  f(t + h0, y1, f1);
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += ((f1[i] - f0[i]) / (absTol + relTol * Math.abs(y[i]))) ** 2;
  d2 = Math.sqrt(d2 / n) / h0;
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / 5);
  return Math.min(100 * h0, h1);
}
