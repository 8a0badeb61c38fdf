/**
 * Per-example gradient norms and per-example clipped gradient sums for dense networks, without
 * materializing one gradient per example — the primitive of DP-SGD (Abadi et al., CCS 2016).
 *
 * One backward pass of the summed per-example losses gives each Dense layer's output gradients
 * δ_l [n, out] (row i is example i's) next to its inputs a_l [n, in]. Example i's weight gradient is
 * the outer product a_{l,i} δ_{l,i}ᵀ, whose squared Frobenius norm is ‖a_{l,i}‖²·‖δ_{l,i}‖² (the
 * "ghost norm", Goodfellow 2015, arXiv:1510.01799; Li et al., ICLR 2022), and its bias gradient is
 * δ_{l,i}. The clipped sum Σ_i w_i g_i, with w_i = min(1, C/‖g_i‖), is then a_lᵀ·diag(w)·δ_l per layer
 * (Bu et al., "book-keeping", ICML 2023): no second backward pass is needed.
 *
 * Per-example loss: ℓ_i = loss(model(x_i), y_i). The loss must average over rows (every Crucible
 * loss with reduction 'mean' does), so that Σ_i ℓ_i = n · loss(model(x), y).
 *
 * @example
 * const norms = perExampleGradNorms(model, x, y);                      // Float64Array(n)
 * const { gradientSum } = clippedGradientSum(model, x, y, { clipNorm: 1 }); // add noise, divide by n
 */
import { backward, enableGrad, noGrad } from '../tensor/autodiff.js';
import { Tensor } from '../tensor/tensor.js';
import { matmul, mul, sum } from '../tensor/ops/index.js';
import { checkModelData } from './fit.js';
import { type Loss, type LossName, lossByName } from './losses.js';
import type { Mlp } from './mlp.js';

export interface PerExampleOptions {
  /** Loss function (averaging over rows) or name. Default 'mse'. */
  loss?: Loss | LossName;
}

export interface PerExampleGradients {
  /** ‖∇_θ ℓ_i‖₂ for every example i. */
  norms: Float64Array;
  /** The batch loss (mean of ℓ_i). */
  loss: number;
  /** Each layer's input a_l and output gradient δ_l (rows are examples). */
  layers: Array<{ input: Tensor; delta: Tensor }>;
}

/** One backward pass collecting each layer's a_l and δ_l; parameter gradients are left untouched. */
function layerGradients(op: string, model: Mlp, x: Tensor, y: Tensor, options: PerExampleOptions): PerExampleGradients {
  return enableGrad(() => layerGradientsRecorded(op, model, x, y, options));
}

function layerGradientsRecorded(op: string, model: Mlp, x: Tensor, y: Tensor, options: PerExampleOptions): PerExampleGradients {
  checkModelData(op, model, x, y);
  const n = x.rows;
  const lossFn = typeof options.loss === 'function' ? options.loss : lossByName(options.loss ?? 'mse');
  const trace = model.trace(x);
  const loss = lossFn(trace.output, y);
  // Seeding with n turns the mean loss into Σ_i ℓ_i, so row i of every δ_l is example i's gradient.
  // `only: []` keeps the parameters' gradients out of it (and skips computing them).
  backward(loss, n, { only: [] });
  const layers = trace.inputs.map((input, l) => {
    const z = trace.preActivations[l];
    const delta = new Tensor(z.rows, z.cols, z.grad ?? new Float64Array(z.size));
    z.grad = null;
    return { input, delta };
  });
  const normSq = new Float64Array(n);
  for (const { input, delta } of layers) {
    const a = input.data;
    const d = delta.data;
    for (let i = 0; i < n; i++) {
      let aa = 0;
      for (let j = 0; j < input.cols; j++) aa += a[i * input.cols + j] ** 2;
      let dd = 0;
      for (let j = 0; j < delta.cols; j++) dd += d[i * delta.cols + j] ** 2;
      normSq[i] += aa * dd + dd;
    }
  }
  return { norms: normSq.map(Math.sqrt), loss: loss.item(), layers };
}

/**
 * ‖∇_θ ℓ_i‖₂ of each example's loss with respect to all parameters of a dense network, from one
 * backward pass. Parameter gradients are not changed. The loss may be given directly or in options.
 */
export function perExampleGradNorms(model: Mlp, x: Tensor, y: Tensor, options: PerExampleOptions | Loss | LossName = {}): Float64Array {
  const resolved = typeof options === 'object' ? options : { loss: options };
  return layerGradients('perExampleGradNorms', model, x, y, resolved).norms;
}

export interface ClippedGradientSum {
  /** Σ_i min(1, C/‖g_i‖)·g_i, laid out like `model.parameters.values`. */
  gradientSum: Float64Array;
  /** ‖g_i‖ before clipping. */
  norms: Float64Array;
  /** The weights min(1, C/‖g_i‖) applied to each example. */
  weights: Float64Array;
  /** How many examples were scaled down. */
  clippedCount: number;
  /** The batch loss (mean of ℓ_i). */
  loss: number;
}

/**
 * The sum over examples of each example's gradient clipped to L2 norm `clipNorm` — DP-SGD's
 * clip-and-sum, before noise. Written into `out` when given (length = parameter count), else a new
 * array; the model's own gradients are not changed.
 */
export function clippedGradientSum(
  model: Mlp,
  x: Tensor,
  y: Tensor,
  options: PerExampleOptions & { clipNorm: number; out?: Float64Array },
): ClippedGradientSum {
  const { clipNorm } = options;
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) throw new RangeError(`clippedGradientSum: clipNorm must be a positive finite number, got ${clipNorm}`);
  const params = model.parameters;
  const out = options.out ?? new Float64Array(params.count);
  if (out.length !== params.count) {
    throw new RangeError(`clippedGradientSum: out has ${out.length} values, the model has ${params.count} parameters`);
  }
  const g = layerGradients('clippedGradientSum', model, x, y, options);
  const weights = g.norms.map((norm) => (norm > clipNorm ? clipNorm / norm : 1));
  const clippedCount = weights.reduce((c, w) => c + (w < 1 ? 1 : 0), 0);
  const w = new Tensor(x.rows, 1, weights);
  noGrad(() => {
    g.layers.forEach(({ input, delta }, l) => {
      const weighted = mul(delta, w);
      const weight = params.entries.find((e) => e.tensor === model.layers[l].weight)!;
      const bias = params.entries.find((e) => e.tensor === model.layers[l].bias)!;
      out.set(matmul(input, weighted, { transA: true }).data, weight.offset);
      out.set(sum(weighted, 0).data, bias.offset);
    });
  });
  return { gradientSum: out, norms: g.norms, weights, clippedCount, loss: g.loss };
}
