/**
 * Membership inference by loss threshold (Yeom et al., "Privacy Risk in Machine Learning: Analyzing
 * the Connection to Overfitting", CSF 2018): a record whose loss under the released model is low was
 * probably in the training set. The attack's quality is the AUC of the score −loss between members
 * and non-members (0.5 = guessing); its advantage is max(TPR − FPR) over thresholds, which
 * ε-DP bounds by (e^ε − 1 + 2δ)/(e^ε + 1) (Yeom et al., Thm 1 in the tight form of Humphries et al. 2020).
 *
 * @example
 * lossThresholdAttack(model, train, heldOut) // { auc: 0.83, advantage: 0.6 }
 */
import type { Model } from '../../nn/mlp.js';
import { noGrad } from '../../tensor/autodiff.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Squared error of each record (mean over outputs). */
export function perRecordLoss(model: Model, x: Tensor, y: Tensor): Float64Array {
  const predicted = noGrad(() => model.forward(x));
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let k = 0; k < y.cols; k++) s += (predicted.data[i * y.cols + k] - y.data[i * y.cols + k]) ** 2;
    out[i] = s / y.cols;
  }
  return out;
}

/** P(score of a random positive > score of a random negative), ties counted half (Mann–Whitney). */
export function areaUnderCurve(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const all = [...Array.from(positive, (s) => ({ s, p: 1 })), ...Array.from(negative, (s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].s === all[i].s) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group
    for (let k = i; k <= j; k++) if (all[k].p === 1) rankSum += rank;
    i = j + 1;
  }
  const np = positive.length;
  const nn = negative.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

/** max over thresholds of TPR − FPR. */
export function membershipAdvantage(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const thresholds = [...Array.from(positive), ...Array.from(negative)];
  let best = 0;
  for (const t of thresholds) {
    const tpr = Array.from(positive).filter((s) => s >= t).length / positive.length;
    const fpr = Array.from(negative).filter((s) => s >= t).length / negative.length;
    best = Math.max(best, tpr - fpr);
  }
  return best;
}

/** The loss-threshold attack of members against non-members. */
export function lossThresholdAttack(model: Model, members: { x: Tensor; y: Tensor }, nonMembers: { x: Tensor; y: Tensor }): { auc: number; advantage: number } {
  const score = (d: { x: Tensor; y: Tensor }) => perRecordLoss(model, d.x, d.y).map((l) => -l);
  const pos = score(members);
  const neg = score(nonMembers);
  return { auc: areaUnderCurve(pos, neg), advantage: membershipAdvantage(pos, neg) };
}
