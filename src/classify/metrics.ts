/**
 * Classification metrics — confusion matrix, precision/recall/F1, ROC AUC — per plant and pooled
 * over plants from SUFFICIENT STATISTICS: a plant shares counts (its confusion matrix, a histogram of
 * its scores per class), never rows; the coordinator adds the counts and computes the exact pooled
 * confusion metrics, and the AUC of the pooled binned scores. (Averaging per-plant AUCs would not
 * give the pooled AUC: it ignores how scores compare ACROSS plants.)
 *
 * @example
 * const cm = confusionMatrix(predicted, actual, 2);
 * classificationMetrics(cm).perClass[1].recall;
 * rocAuc(scores, labels);                                  // exact, ties count ½
 * aucFromHistograms(poolHistograms([scoreHistogram(sa, ya), scoreHistogram(sb, yb)]));
 */

/** K×K counts: row = actual class, column = predicted class (row-major, length K²). */
export interface ConfusionMatrix {
  readonly classes: number;
  readonly counts: Float64Array;
}

export interface ClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Actual examples of the class. */
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly perClass: readonly ClassMetrics[];
  /** Unweighted mean of the per-class F1. */
  readonly macroF1: number;
  readonly count: number;
}

function checkClass(op: string, what: string, i: number, c: number, K: number): void {
  if (!Number.isInteger(c) || c < 0 || c >= K) throw new RangeError(`${op}: ${what} ${i} is ${c}; expected a class index in [0, ${K})`);
}

/** Counts of (actual, predicted) class pairs. */
export function confusionMatrix(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number): ConfusionMatrix {
  if (predicted.length !== actual.length) throw new RangeError(`confusionMatrix: ${predicted.length} predictions for ${actual.length} labels`);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`confusionMatrix: classes must be an integer ≥ 2, got ${classes}`);
  const counts = new Float64Array(classes * classes);
  for (let i = 0; i < actual.length; i++) {
    checkClass('confusionMatrix', 'label', i, actual[i], classes);
    checkClass('confusionMatrix', 'prediction', i, predicted[i], classes);
    counts[actual[i] * classes + predicted[i]]++;
  }
  return { classes, counts };
}

/** Sum of confusion matrices (plants' counts). */
export function poolConfusion(parts: readonly ConfusionMatrix[]): ConfusionMatrix {
  if (parts.length === 0) throw new RangeError('poolConfusion: no confusion matrices');
  const K = parts[0].classes;
  const counts = new Float64Array(K * K);
  parts.forEach((p, j) => {
    if (p.classes !== K || p.counts.length !== K * K) throw new RangeError(`poolConfusion: matrix ${j} is for ${p.classes} classes, matrix 0 for ${K}`);
    for (let k = 0; k < counts.length; k++) counts[k] += p.counts[k];
  });
  return { classes: K, counts };
}

/** Accuracy and per-class precision, recall, F1 (0 where undefined, e.g. a class never predicted). */
export function classificationMetrics(cm: ConfusionMatrix): ClassificationMetrics {
  const K = cm.classes;
  let total = 0;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let k = 0; k < K; k++) correct += cm.counts[k * K + k];
  for (const v of cm.counts) total += v;
  for (let k = 0; k < K; k++) {
    let actual = 0;
    let predicted = 0;
    for (let j = 0; j < K; j++) {
      actual += cm.counts[k * K + j];
      predicted += cm.counts[j * K + k];
    }
    const tp = cm.counts[k * K + k];
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support: actual });
  }
  return { accuracy: total > 0 ? correct / total : Number.NaN, perClass, macroF1: perClass.reduce((s, c) => s + c.f1, 0) / K, count: total };
}

/**
 * Area under the ROC curve of `scores` for labels in {0, 1}: the probability that a random positive
 * scores above a random negative, ties counting ½ (the Mann–Whitney U statistic / (n₊n₋), computed
 * with mid-ranks; Hanley & McNeil 1982). NaN when one class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores for ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[start]]) end++;
    const midRank = (start + end) / 2 + 1; // ranks are 1-based
    for (let k = start; k <= end; k++) {
      const y = labels[order[k]];
      if (y !== 0 && y !== 1) throw new RangeError(`rocAuc: label ${order[k]} is ${y}; expected 0 or 1`);
      if (!Number.isFinite(scores[order[k]])) throw new RangeError(`rocAuc: score ${order[k]} is ${scores[order[k]]}`);
      if (y === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Counts of scores per bin, for positives and negatives: what a plant shares for a pooled AUC. */
export interface ScoreHistogram {
  /** Bin edges lo … hi split into `positive.length` equal bins; scores outside go to the end bins. */
  readonly lo: number;
  readonly hi: number;
  readonly positive: Float64Array;
  readonly negative: Float64Array;
}

/** Histogram of scores (e.g. probabilities in [0, 1]) by label. Default 1000 bins on [0, 1]. */
export function scoreHistogram(scores: ArrayLike<number>, labels: ArrayLike<number>, options: { bins?: number; lo?: number; hi?: number } = {}): ScoreHistogram {
  const bins = options.bins ?? 1000;
  const lo = options.lo ?? 0;
  const hi = options.hi ?? 1;
  if (!Number.isInteger(bins) || bins < 1 || !(hi > lo)) throw new RangeError(`scoreHistogram: need bins ≥ 1 and lo < hi, got ${bins} bins on [${lo}, ${hi}]`);
  if (labels.length !== scores.length) throw new RangeError(`scoreHistogram: ${scores.length} scores for ${labels.length} labels`);
  const positive = new Float64Array(bins);
  const negative = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`scoreHistogram: label ${i} is ${y}; expected 0 or 1`);
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((scores[i] - lo) / (hi - lo)) * bins)));
    (y === 1 ? positive : negative)[b]++;
  }
  return { lo, hi, positive, negative };
}

/** Sum of plants' histograms (same bins). */
export function poolHistograms(parts: readonly ScoreHistogram[]): ScoreHistogram {
  if (parts.length === 0) throw new RangeError('poolHistograms: no histograms');
  const { lo, hi } = parts[0];
  const bins = parts[0].positive.length;
  const positive = new Float64Array(bins);
  const negative = new Float64Array(bins);
  parts.forEach((p, j) => {
    if (p.lo !== lo || p.hi !== hi || p.positive.length !== bins) throw new RangeError(`poolHistograms: histogram ${j} has other bins than histogram 0`);
    for (let b = 0; b < bins; b++) {
      positive[b] += p.positive[b];
      negative[b] += p.negative[b];
    }
  });
  return { lo, hi, positive, negative };
}

/**
 * AUC from a score histogram: scores in the same bin count as ties (½). Equals `rocAuc` of the
 * binned scores exactly; differs from the unbinned AUC only by pairs that share a bin.
 */
export function aucFromHistograms(h: ScoreHistogram): number {
  let negativesBelow = 0;
  let pairs = 0;
  let positives = 0;
  let negatives = 0;
  for (let b = 0; b < h.positive.length; b++) {
    pairs += h.positive[b] * (negativesBelow + 0.5 * h.negative[b]);
    negativesBelow += h.negative[b];
    positives += h.positive[b];
    negatives += h.negative[b];
  }
  return positives > 0 && negatives > 0 ? pairs / (positives * negatives) : Number.NaN;
}
