/**
 * Byzantine-robust aggregation: the global model moves by a statistic of the updates that a few
 * arbitrary (faulty or malicious) updates cannot drag far, unlike a mean.
 * - coordinate-wise median and trimmed mean (Yin et al., "Byzantine-Robust Distributed Learning:
 *   Towards Optimal Statistical Rates", ICML 2018);
 * - multi-Krum (Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant Gradient
 *   Descent", NeurIPS 2017): score each update by the summed squared distances to its n − f − 2
 *   nearest others, average the m best-scored.
 * Sample counts are ignored on purpose: a weight is something a faulty plant could inflate.
 *
 * @example
 * runFederation(grid, median(), options);
 * runFederation(grid, trimmedMean({ trimCount: 1 }), options);
 * runFederation(grid, krum({ byzantine: 1, selected: 2 }), options);
 */
import { applyUpdate, defineStrategy, meanOf, updateOf } from './define.js';
import { emptyState, type Strategy } from '../strategy.js';

export interface RobustOptions {
  /** Server step size on the aggregated update. Default 1. */
  readonly serverLearningRate?: number;
}

/** Coordinate-wise median of the updates. */
export function median(options: RobustOptions = {}): Strategy {
  const eta = options.serverLearningRate ?? 1;
  return defineStrategy({
    name: 'median',
    aggregateFit: ({ parameters, results }) => ({
      parameters: applyUpdate(parameters, coordinateMedian(results.map(updateOf)), eta),
      state: emptyState,
    }),
  });
}

export interface TrimmedMeanOptions extends RobustOptions {
  /** Updates dropped at EACH end of every coordinate. Default: ⌊0.1·n⌋ but at least 1 when n ≥ 3. */
  readonly trimCount?: number;
}

/** Coordinate-wise mean after dropping the `trimCount` largest and smallest values. */
export function trimmedMean(options: TrimmedMeanOptions = {}): Strategy {
  const eta = options.serverLearningRate ?? 1;
  return defineStrategy({
    name: 'trimmedMean',
    aggregateFit: ({ parameters, results }) => {
      const n = results.length;
      const wanted = options.trimCount ?? (n >= 3 ? Math.max(1, Math.floor(0.1 * n)) : 0);
      const trim = Math.min(wanted, Math.floor((n - 1) / 2));
      return { parameters: applyUpdate(parameters, coordinateTrimmedMean(results.map(updateOf), trim), eta), state: emptyState, metrics: { trimmedPerSide: trim } };
    },
  });
}

/** Per coordinate: the median of the values. */
function coordinateMedian(updates: readonly Float64Array[]): Float64Array {
  return perCoordinate(updates, (sorted) => {
    const n = sorted.length;
    return n % 2 === 1 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  });
}

/** Per coordinate: the mean of the values after dropping `trim` at each end. */
function coordinateTrimmedMean(updates: readonly Float64Array[], trim: number): Float64Array {
  return perCoordinate(updates, (sorted) => {
    let s = 0;
    for (let k = trim; k < sorted.length - trim; k++) s += sorted[k];
    return s / (sorted.length - 2 * trim);
  });
}

function perCoordinate(updates: readonly Float64Array[], statistic: (sorted: Float64Array) => number): Float64Array {
  const n = updates.length;
  const out = new Float64Array(updates[0].length);
  const column = new Float64Array(n);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < n; k++) column[k] = updates[k][i];
    column.sort();
    out[i] = statistic(column);
  }
  return out;
}

export interface KrumOptions extends RobustOptions {
  /** f: how many plants may be Byzantine. Krum's guarantee needs n > 2f + 2. */
  readonly byzantine: number;
  /** m: how many best-scored updates are averaged (1 = Krum, more = multi-Krum). Default n − f. */
  readonly selected?: number;
}

/** (Multi-)Krum. With n ≤ 2f + 2 it still runs (scoring against ≥ 1 neighbour) but without the guarantee. */
export function krum(options: KrumOptions): Strategy {
  const eta = options.serverLearningRate ?? 1;
  const f = options.byzantine;
  if (!Number.isInteger(f) || f < 0) throw new RangeError(`krum: byzantine must be a non-negative integer, got ${f}`);
  return defineStrategy({
    name: 'krum',
    aggregateFit: ({ parameters, results }) => {
      const updates = results.map(updateOf);
      const n = updates.length;
      const neighbours = Math.max(1, Math.min(n - 1, n - f - 2));
      const m = Math.max(1, Math.min(n, options.selected ?? n - f));
      const dist = pairwiseSquaredDistances(updates);
      const scores = updates.map((_, i) => {
        const row = dist[i].filter((_, j) => j !== i).sort((a, b) => a - b);
        return row.slice(0, neighbours).reduce((a, b) => a + b, 0);
      });
      const chosen = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, m).map(([, i]) => i);
      return {
        parameters: applyUpdate(parameters, meanOf(chosen.map((i) => updates[i])), eta),
        state: emptyState,
        metrics: { krumSelected: chosen.length },
      };
    },
  });
}

function pairwiseSquaredDistances(v: readonly Float64Array[]): number[][] {
  const n = v.length;
  const d: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < v[i].length; k++) {
        const e = v[i][k] - v[j][k];
        s += e * e;
      }
      // A garbage update may overflow to Infinity; it then simply scores worst.
      d[i][j] = d[j][i] = s;
    }
  }
  return d;
}
