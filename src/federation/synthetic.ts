/**
 * Small synthetic plants for tests, simulations and benchmarks of federation: each plant draws its
 * inputs with its own per-feature means and spreads (covariate shift) and maps them linearly with its
 * own weights (concept shift), so strategies can be compared where heterogeneity matters. Also the
 * centralised least-squares optimum of the pooled data, the oracle a federation should approach.
 *
 * @example
 * const data = linearPlants([{ rows: 200, featureStd: [3, 0.3], weights: [1, -1] }, { rows: 200, featureStd: [0.3, 3], weights: [-1, 1] }], { seed: 1 });
 */
import { solve } from '../tensor/ops/solve.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantData } from './plant.js';

export interface LinearPlantSpec {
  readonly rows: number;
  /** Standard deviation of each input feature (its length is the number of features). */
  readonly featureStd: readonly number[];
  /** Mean of each input feature. Default all 0. */
  readonly featureMean?: readonly number[];
  /** y = weights·x + bias + noise. */
  readonly weights: readonly number[];
  readonly bias?: number;
  /** Default 0. */
  readonly noiseStd?: number;
}

/** One dataset per spec, drawn from `seed` (each plant from its own fork). */
export function linearPlants(specs: readonly LinearPlantSpec[], options: { seed: number }): PlantData[] {
  return specs.map((spec, p) => {
    const d = spec.featureStd.length;
    if (spec.weights.length !== d) throw new RangeError(`linearPlants: plant ${p} has ${d} feature spreads but ${spec.weights.length} weights`);
    const rng = new Rng(options.seed * 7919 + p);
    const x = new Tensor(spec.rows, d);
    const y = new Tensor(spec.rows, 1);
    for (let i = 0; i < spec.rows; i++) {
      let t = spec.bias ?? 0;
      for (let j = 0; j < d; j++) {
        const v = rng.normal(spec.featureMean?.[j] ?? 0, spec.featureStd[j]);
        x.data[i * d + j] = v;
        t += spec.weights[j] * v;
      }
      y.data[i] = t + rng.normal(0, spec.noiseStd ?? 0);
    }
    return { x, y };
  });
}

/** Least-squares weights and bias of the pooled data: [w₁ … w_d, b] (a linear model's optimum). */
export function pooledLeastSquares(data: readonly PlantData[]): Float64Array {
  const d = data[0].x.cols;
  const m = d + 1;
  const a = new Tensor(m, m);
  const b = new Tensor(m, 1);
  for (const { x, y } of data) {
    for (let i = 0; i < x.rows; i++) {
      const row = [...x.data.subarray(i * d, (i + 1) * d), 1];
      for (let r = 0; r < m; r++) {
        b.data[r] += row[r] * y.data[i];
        for (let c = 0; c < m; c++) a.data[r * m + c] += row[r] * row[c];
      }
    }
  }
  return solve(a, b).data.slice();
}
