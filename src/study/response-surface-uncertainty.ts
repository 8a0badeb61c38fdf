/**
 * The prediction standard error of a plant-adapted response surface (a `PlantAdaptedModel` with a
 * linear body), from statistics the plants sum — the regression's classic σ̂·√(leverage), here for
 * the fixed-effects model y = b_p + W·φ(z + s_p) with a shared W and one intercept per plant:
 *
 *   Var ŷ_q(x) = σ̂² [ 1/n_q + (φ_q(x) − φ̄_q)ᵀ G⁻¹ (φ_q(x) − φ̄_q) ],   G = Σ_p Σ_i (φ_i − φ̄_p)(φ_i − φ̄_p)ᵀ
 *
 * (within-plant centring separates the intercepts from W; Frisch–Waugh–Lovell). Each plant sends
 * only its centred Gram matrix of features and its residual sums of squares; its feature mean φ̄_p
 * and row count stay local. The leverage grows where no plant has data, so chance constraints
 * built on it back off where the model extrapolates — a trust region by the model's own
 * statistics (the Mahalanobis distance in feature space to the federated data). The plant shifts
 * s_p are taken as known (their estimation error is not propagated).
 *
 * @example
 * const local = responseSurfaceStatistics(model, z, yStandardized);
 * const totals = sumStatistics([local, ...others]);
 * const std = responseSurfaceStd(model, totals, local); // z → σ (standardized units), differentiable
 */
import { noGrad } from '../tensor/autodiff.js';
import { add, matmul, mul, sqrt, sub } from '../tensor/ops/index.js';
import { solve } from '../tensor/ops/solve.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantAdaptedModel } from './plant-adapted-model.js';

/** What one plant contributes (centredGram, sse, count, shiftCount) and keeps (featureMean). */
export interface ResponseSurfaceStatistics {
  /** Σ_i (φ_i − φ̄)(φ_i − φ̄)ᵀ, row-major [terms, terms]. Summed over plants. */
  centredGram: Float64Array;
  /** Residual sum of squares per output (standardized units). Summed over plants. */
  sse: Float64Array;
  /** Rows. Summed over plants. */
  count: number;
  /** Plant-local parameters fitted besides the intercept (its input shifts). Summed over plants. */
  localParameters: number;
  /** The plant's feature mean φ̄ (stays at the plant). */
  featureMean: Float64Array;
}

/** The statistics of `model` (already personalized to this plant) on its standardized data. */
export function responseSurfaceStatistics(model: PlantAdaptedModel, z: Tensor, y: Tensor): ResponseSurfaceStatistics {
  if (model.spec.hidden.length > 0) throw new RangeError('responseSurfaceStatistics: the model body must be linear (hidden: []) for a leverage-based standard error');
  return noGrad(() => {
    const phi = model.features(model.shifted(z));
    const t = phi.cols;
    const n = phi.rows;
    const featureMean = new Float64Array(t);
    for (let i = 0; i < n; i++) for (let a = 0; a < t; a++) featureMean[a] += phi.data[i * t + a] / n;
    const centredGram = new Float64Array(t * t);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < t; a++) {
        const da = phi.data[i * t + a] - featureMean[a];
        for (let b = 0; b < t; b++) centredGram[a * t + b] += da * (phi.data[i * t + b] - featureMean[b]);
      }
    }
    const pred = model.forward(z);
    const k = y.cols;
    const sse = new Float64Array(k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) sse[j] += (pred.data[i * k + j] - y.data[i * k + j]) ** 2;
    return { centredGram, sse, count: n, localParameters: model.spec.plantParameters.inputShift ? model.inputSize : 0, featureMean };
  });
}

/** Totals over plants (what a `Summation` would deliver). */
export function sumStatistics(parts: readonly ResponseSurfaceStatistics[]): Omit<ResponseSurfaceStatistics, 'featureMean'> & { plants: number } {
  const [first] = parts;
  const centredGram = new Float64Array(first.centredGram.length);
  const sse = new Float64Array(first.sse.length);
  let count = 0;
  let localParameters = 0;
  for (const p of parts) {
    p.centredGram.forEach((v, i) => (centredGram[i] += v));
    p.sse.forEach((v, i) => (sse[i] += v));
    count += p.count;
    localParameters += p.localParameters;
  }
  return { centredGram, sse, count, localParameters, plants: parts.length };
}

/**
 * z ↦ σ(z) [n, outputs] in standardized target units for this plant: σ̂_j √(1/n_q + dᵀG⁻¹d).
 * Differentiable in z (through the features).
 */
export function responseSurfaceStd(
  model: PlantAdaptedModel,
  totals: Omit<ResponseSurfaceStatistics, 'featureMean'> & { plants: number },
  local: Pick<ResponseSurfaceStatistics, 'featureMean' | 'count'>,
): (z: Tensor) => Tensor {
  const t = local.featureMean.length;
  // Residual degrees of freedom: shared slopes, one intercept and the shifts per plant.
  const dof = totals.count - t - totals.plants - totals.localParameters;
  if (dof <= 0) throw new RangeError(`responseSurfaceStd: ${totals.count} rows leave no residual degrees of freedom for ${t} terms and ${totals.plants} plants`);
  const sigma = new Tensor(1, totals.sse.length, Float64Array.from(totals.sse, (s) => Math.sqrt(s / dof)));
  const gram = totals.centredGram.slice();
  // A ridge of 1e-10 of the mean diagonal keeps G invertible when a term is (nearly) constant.
  let trace = 0;
  for (let a = 0; a < t; a++) trace += gram[a * t + a];
  for (let a = 0; a < t; a++) gram[a * t + a] += (1e-10 * trace) / t;
  const identity = new Tensor(t, t);
  for (let a = 0; a < t; a++) identity.data[a * t + a] = 1;
  const inverse = noGrad(() => solve(new Tensor(t, t, gram), identity));
  const centre = new Tensor(1, t, local.featureMean.slice());
  const ones = Tensor.full(t, 1, 1);
  return (z) => {
    const d = sub(model.features(model.shifted(z)), centre);
    const leverage = add(matmul(mul(matmul(d, inverse), d), ones), 1 / local.count);
    return mul(sqrt(leverage), sigma);
  };
}
