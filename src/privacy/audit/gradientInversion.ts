/**
 * Gradient inversion against a plant's update: the attack an honest-but-curious coordinator can run
 * on what a plant sends. For a network whose first layer is dense, z = x·W + b, the gradient of the
 * loss on ONE record satisfies ∂L/∂W[:, j] = x · ∂L/∂b[j] for every unit j, so
 *
 *     x = ΔW[:, j] / Δb[j]     for any unit with Δb[j] ≠ 0
 *
 * recovers the record's inputs exactly from a one-step update (Phong et al., "Privacy-Preserving
 * Deep Learning via Additively Homomorphic Encryption", 2017; the analytic core of R-GAP, Zhu &
 * Blaschko, ICLR 2021). With a linear output and MSE, the target follows from the output bias:
 * Δb_out = −η·2(ŷ − y), so y = ŷ(x) + Δb_out/(2η). This is what DLG (Zhu et al., NeurIPS 2019) finds
 * by optimisation (`gradientMatching.ts`, which also handles several records); the closed form is
 * exact where it applies.
 *
 * On an update that mixes several records (a batch, several steps, or a SUM of plants under secure
 * aggregation) each unit yields a weighted mixture of the records instead — the attack degrades,
 * which is what the audit measures.
 *
 * @example
 * const candidates = firstLayerCandidates(update, model);
 * reconstructionError(candidates, [trueRecord]).mean // ≈ 0 on a plain one-record update
 */
import type { Mlp } from '../../nn/mlp.js';
import { noGrad } from '../../tensor/autodiff.js';
import { Tensor } from '../../tensor/tensor.js';

function entry(model: Mlp, name: string) {
  const e = model.parameters.entries.find((p) => p.name === name);
  if (e === undefined) throw new RangeError(`gradient inversion: the model has no parameter '${name}'`);
  return e;
}

/**
 * One candidate input per first-layer unit whose bias update is not negligible (|Δb[j]| above
 * `minBiasUpdate` × the largest), ordered by |Δb[j]|, largest first (the most reliable ratios).
 */
export function firstLayerCandidates(update: Float64Array, model: Mlp, options: { minBiasUpdate?: number } = {}): Float64Array[] {
  const w = entry(model, 'layer0.weight');
  const b = entry(model, 'layer0.bias');
  if (update.length !== model.parameters.count) throw new RangeError(`gradient inversion: update has ${update.length} values, model ${model.parameters.count}`);
  const inputs = w.rows;
  const units = w.cols;
  const biasUpdate = update.subarray(b.offset, b.offset + units);
  const largest = biasUpdate.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = (options.minBiasUpdate ?? 1e-6) * largest;
  const order = Array.from({ length: units }, (_, j) => j).filter((j) => Math.abs(biasUpdate[j]) > floor && largest > 0);
  order.sort((a, c) => Math.abs(biasUpdate[c]) - Math.abs(biasUpdate[a]));
  return order.map((j) => {
    const x = new Float64Array(inputs);
    for (let i = 0; i < inputs; i++) x[i] = update[w.offset + i * units + j] / biasUpdate[j];
    return x;
  });
}

/**
 * The target of a one-record, one-step SGD update with MSE and a linear output layer, given the
 * recovered input, the model at the round's global parameters and the learning rate.
 */
export function recoverTarget(update: Float64Array, model: Mlp, input: Float64Array, learningRate: number): Float64Array {
  const last = model.layers.length - 1;
  const b = entry(model, `layer${last}.bias`);
  const predicted = noGrad(() => model.forward(new Tensor(1, input.length, input.slice())));
  return predicted.data.map((yHat, k) => yHat + (update[b.offset + k] * predicted.cols) / (2 * learningRate));
}

export interface ReconstructionScore {
  /** For each true record, the relative L2 error ‖x̂ − x‖/‖x‖ of the best candidate. */
  readonly perRecord: number[];
  readonly mean: number;
  /** Records recovered to within 1 % relative error. */
  readonly recovered: number;
}

/** How well the best candidates match the true records (lower is a more successful attack). */
export function reconstructionError(candidates: readonly Float64Array[], records: readonly Float64Array[]): ReconstructionScore {
  const perRecord = records.map((x) => {
    const norm = Math.sqrt(x.reduce((s, v) => s + v * v, 0)) || 1;
    let best = Infinity;
    for (const c of candidates) {
      let d = 0;
      for (let i = 0; i < x.length; i++) d += (c[i] - x[i]) ** 2;
      best = Math.min(best, Math.sqrt(d) / norm);
    }
    return candidates.length === 0 ? 1 : best;
  });
  return { perRecord, mean: perRecord.reduce((s, v) => s + v, 0) / Math.max(1, perRecord.length), recovered: perRecord.filter((e) => e < 0.01).length };
}
