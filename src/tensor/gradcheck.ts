/**
 * Finite-difference gradient checking: the oracle for every gradient rule in Crucible. Other folders
 * use it in their tests for gradients they build (through solvers, simulators, losses).
 *
 * The check compares the reverse-mode vector-Jacobian product for a random (seeded) cotangent r with
 * the numerical derivative of L(x) = Σ r ⊙ fn(x), using the fourth-order central difference
 * L'(x) ≈ [−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)] / 12h (truncation error O(h⁴)), so that float64
 * agreement to ~1e-9 is expected for smooth functions. Points must sit farther than 2h from kinks
 * (relu, abs, max, clamp).
 *
 * @example
 * const x = Tensor.randn(3, 4, new Rng(1));
 * assertGradient((t) => tanh(t), [x]); // throws if the relative error exceeds 1e-6
 */
import { noGrad, vjp } from './autodiff.js';
import { Rng } from './rng.js';
import { Tensor, shapeOf } from './tensor.js';

export interface GradientCheckOptions {
  /** Finite-difference step, relative to max(1, |x|). Default 1e-4. */
  stepSize?: number;
  /** Seed of the random cotangent. Default 0. */
  seed?: number;
  /**
   * Entries much smaller than the largest gradient entry are compared against `floor` × that largest
   * entry rather than their own size, so round-off in near-zero entries does not count as error.
   * Default 1e-3.
   */
  floor?: number;
}

export interface GradientCheckResult {
  /** max over entries of |analytic − numeric| / max(|analytic|, |numeric|, floor · largest entry). */
  maxRelError: number;
  /** Where the largest error is: input number, flat index in it, and the two values. */
  worst: { input: number; index: number; analytic: number; numeric: number };
  analytic: Float64Array[];
  numeric: Float64Array[];
}

/**
 * Compares reverse-mode gradients of `fn` with respect to `inputs` (leaf tensors, modified in place
 * while probing and restored) against finite differences.
 */
export function checkGradient(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradientCheckOptions = {},
): GradientCheckResult {
  const stepSize = options.stepSize ?? 1e-4;
  const floor = options.floor ?? 1e-3;
  const probe = noGrad(() => fn(...inputs));
  const cotangent = Tensor.randn(probe.rows, probe.cols, new Rng(options.seed ?? 0));
  const analytic = vjp(fn, inputs, cotangent).map((g) => g.data);
  const objective = (): number =>
    noGrad(() => {
      const out = fn(...inputs);
      if (out.size !== cotangent.size) {
        throw new RangeError(`checkGradient: fn returned ${shapeOf(out)} after returning ${shapeOf(probe)}`);
      }
      let s = 0;
      for (let i = 0; i < out.size; i++) s += cotangent.data[i] * out.data[i];
      return s;
    });
  const numeric = inputs.map((t) => {
    const g = new Float64Array(t.size);
    for (let k = 0; k < t.size; k++) {
      const v = t.data[k];
      const h = stepSize * Math.max(1, Math.abs(v));
      const at = (d: number): number => {
        t.data[k] = v + d;
        return objective();
      };
      try {
        g[k] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
      } finally {
        t.data[k] = v;
      }
    }
    return g;
  });
  let scale = 0;
  for (let p = 0; p < inputs.length; p++) {
    for (let k = 0; k < analytic[p].length; k++) scale = Math.max(scale, Math.abs(analytic[p][k]), Math.abs(numeric[p][k]));
  }
  let maxRelError = 0;
  let worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
  for (let p = 0; p < inputs.length; p++) {
    for (let k = 0; k < analytic[p].length; k++) {
      const a = analytic[p][k];
      const n = numeric[p][k];
      const denominator = Math.max(Math.abs(a), Math.abs(n), floor * scale);
      const err = a === n ? 0 : Number.isNaN(a - n) || denominator === 0 ? Infinity : Math.abs(a - n) / denominator;
      if (err > maxRelError || worst.input < 0) {
        if (err > maxRelError) maxRelError = err;
        worst = { input: p, index: k, analytic: a, numeric: n };
      }
    }
  }
  return { maxRelError, worst, analytic, numeric };
}

/**
 * `checkGradient`, throwing an Error that shows the worst entry when the relative error is not below
 * `tolerance` (default 1e-6). Returns the result for printing.
 */
export function assertGradient(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradientCheckOptions & { tolerance?: number; label?: string } = {},
): GradientCheckResult {
  const tolerance = options.tolerance ?? 1e-6;
  const result = checkGradient(fn, inputs, options);
  if (!(result.maxRelError < tolerance)) {
    const w = result.worst;
    const where = inputs[w.input] === undefined ? '' : ` ${shapeOf(inputs[w.input])}`;
    throw new Error(
      `${options.label ?? 'gradient check'}: relative error ${result.maxRelError.toExponential(3)} ≥ tolerance ${tolerance.toExponential(0)} ` +
        `at input ${w.input}${where} index ${w.index}: analytic ${w.analytic}, finite differences ${w.numeric}`,
    );
  }
  return result;
}
