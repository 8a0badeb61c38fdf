/**
 * Transforms from an unconstrained raw parameter (what the optimizer and federated averaging move)
 * to a physical value with the bounds physics needs: a rate constant stays positive, an efficiency
 * stays in (0, 1). Optimizing the raw value keeps every step feasible without projections, and
 * averaging raw values across plants (FedAvg) can never leave the bounds.
 *
 * @example
 * const t: ParameterTransform = { kind: 'bounded', lo: 0.4, hi: 0.95 };
 * const raw = toRaw(t, 0.7);                  // sigmoid⁻¹((0.7 − 0.4)/0.55)
 * applyTransform(t, Tensor.scalar(raw)).item(); // 0.7
 */
import { add, exp, mul, sigmoid, softplus } from '../tensor/ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * - `identity`: value = raw (unbounded: offsets, linear coefficients).
 * - `scaled`: value = scale·raw (unbounded, for a parameter whose natural size is far from 1, e.g.
 *   a melting energy of ~400 kWh/t with scale 100: the optimizer then moves numbers of order 1).
 * - `positive`: value = softplus(raw) = log(1 + e^raw) (roughly linear far from 0: heat-transfer coefficients).
 * - `log`: value = e^raw (scale parameters spanning decades: pre-exponential factors, rate constants).
 * - `bounded`: value = lo + (hi − lo)·sigmoid(raw) (efficiencies, yields, fractions).
 */
export type ParameterTransform =
  | { readonly kind: 'identity' }
  | { readonly kind: 'scaled'; readonly scale: number }
  | { readonly kind: 'positive' }
  | { readonly kind: 'log' }
  | { readonly kind: 'bounded'; readonly lo: number; readonly hi: number };

/** Checks a transform's own settings; `where` names the parameter in the message. */
export function checkTransform(t: ParameterTransform, where: string): void {
  if (t.kind === 'bounded' && !(Number.isFinite(t.lo) && Number.isFinite(t.hi) && t.lo < t.hi)) {
    throw new RangeError(`${where}: bounded transform needs finite lo < hi, got [${t.lo}, ${t.hi}]`);
  }
  if (t.kind === 'scaled' && !(Number.isFinite(t.scale) && t.scale !== 0)) {
    throw new RangeError(`${where}: scaled transform needs a finite, nonzero scale, got ${t.scale}`);
  }
  if (!['identity', 'scaled', 'positive', 'log', 'bounded'].includes(t.kind)) {
    throw new RangeError(`${where}: unknown transform '${String((t as { kind: unknown }).kind)}': expected identity, scaled, positive, log or bounded`);
  }
}

/** The physical value of `raw` (elementwise, differentiable). */
export function applyTransform(t: ParameterTransform, raw: Tensor): Tensor {
  switch (t.kind) {
    case 'identity':
      return raw;
    case 'scaled':
      return mul(raw, t.scale);
    case 'positive':
      return softplus(raw);
    case 'log':
      return exp(raw);
    case 'bounded':
      return add(mul(sigmoid(raw), t.hi - t.lo), t.lo);
  }
}

/** The physical value of a raw number (no tape). */
export function transformValue(t: ParameterTransform, raw: number): number {
  switch (t.kind) {
    case 'identity':
      return raw;
    case 'scaled':
      return t.scale * raw;
    case 'positive':
      return raw > 0 ? raw + Math.log1p(Math.exp(-raw)) : Math.log1p(Math.exp(raw));
    case 'log':
      return Math.exp(raw);
    case 'bounded':
      return t.lo + (t.hi - t.lo) / (1 + Math.exp(-raw));
  }
}

/**
 * The raw value whose transform is `value`; a value outside the transform's range is a RangeError
 * naming `where` (the parameter).
 */
export function toRaw(t: ParameterTransform, value: number, where = 'parameter'): number {
  if (!Number.isFinite(value)) throw new RangeError(`${where}: initial value must be finite, got ${value}`);
  switch (t.kind) {
    case 'identity':
      return value;
    case 'scaled':
      return value / t.scale;
    case 'positive':
      if (!(value > 0)) throw new RangeError(`${where}: a 'positive' parameter needs a value > 0, got ${value}`);
      // softplus⁻¹(v) = log(e^v − 1), written as v + log(1 − e^−v) for large v.
      return value + Math.log(-Math.expm1(-value));
    case 'log':
      if (!(value > 0)) throw new RangeError(`${where}: a 'log' parameter needs a value > 0, got ${value}`);
      return Math.log(value);
    case 'bounded': {
      if (!(value > t.lo && value < t.hi)) throw new RangeError(`${where}: value ${value} is not strictly inside its bounds (${t.lo}, ${t.hi})`);
      const s = (value - t.lo) / (t.hi - t.lo);
      return Math.log(s / (1 - s));
    }
  }
}
