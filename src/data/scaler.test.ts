import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../tensor/rng.js';
import { datasetFromColumns, sliceDataset } from './dataset.js';
import { combineSums, featureSums, fitStandardizer, scalerFromSums, standardize, unstandardize } from './scaler.js';
import { plantSchema } from './schema.js';

const schema = plantSchema({
  samplingInterval: 1,
  inputs: [{ name: 'T', unit: 'K', min: 300, max: 400 }],
  outputs: [{ name: 'y', unit: '1' }],
});

function plant(seed: number, rows: number, meanT: number) {
  const rng = new Rng(seed);
  return datasetFromColumns(schema, {
    T: Array.from({ length: rows }, () => rng.normal(meanT, 2)),
    y: Array.from({ length: rows }, () => rng.normal(seed, 1 + seed)),
  });
}

function directStats(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe('scaling', () => {
  it('standardises with statistics of the training rows only', () => {
    const ds = plant(1, 200, 350);
    const scaler = fitStandardizer(ds, { rows: { start: 0, end: 100 } });
    const direct = directStats([...ds.columns.T.subarray(0, 100)]);
    assert.ok(Math.abs(scaler.mean[0] - direct.mean) < 1e-9);
    assert.ok(Math.abs(scaler.std[0] - direct.std) < 1e-9);
    const scaled = standardize(ds, scaler);
    const trainZ = directStats([...scaled.columns.T.subarray(0, 100)]);
    assert.ok(Math.abs(trainZ.mean) < 1e-12 && Math.abs(trainZ.std - 1) < 1e-12);
    assert.equal(scaled.units.T, '1');
    assert.deepEqual(scaled.columns.T.slice(100), ds.columns.T.slice(100).map((v) => (v - scaler.mean[0]) / scaler.std[0]));
    const back = unstandardize(scaled.columns.y, scaler, 'y');
    back.forEach((v, i) => assert.ok(Math.abs(v - ds.columns.y[i]) < 1e-12));
  });

  it('gives the global mean and variance from summed per-plant sums, equal to pooling the rows', () => {
    const plants = [plant(1, 120, 320), plant(2, 300, 360), plant(3, 45, 390)];
    const global = scalerFromSums(plants.map((p) => featureSums(p)));
    for (const [j, c] of ['T', 'y'].entries()) {
      const pooled = directStats(plants.flatMap((p) => [...p.columns[c]]));
      assert.ok(Math.abs(global.mean[j] - pooled.mean) < 1e-10, `${c} mean`);
      assert.ok(Math.abs(global.std[j] - pooled.std) < 1e-10, `${c} std`);
    }
  });

  it('adds sums of blocks to the sums of the whole', () => {
    const ds = plant(4, 100, 330);
    const whole = featureSums(ds);
    const parts = combineSums([featureSums(ds, { rows: { start: 0, end: 37 } }), featureSums(ds, { rows: { start: 37, end: 100 } })]);
    assert.equal(parts.count, whole.count);
    parts.sum.forEach((s, j) => assert.ok(Math.abs(s - whole.sum[j]) < 1e-9));
    parts.sumSq.forEach((s, j) => assert.ok(Math.abs(s - whole.sumSq[j]) < 1e-9));
  });

  it('keeps the variance accurate when the mean is huge next to the spread, thanks to the shift', () => {
    const big = plantSchema({
      samplingInterval: 1,
      inputs: [{ name: 'T', unit: 'K', min: 1e9 - 10, max: 1e9 + 10 }],
      outputs: [{ name: 'y', unit: '1' }],
    });
    const rng = new Rng(9);
    const T = Array.from({ length: 1000 }, () => 1e9 + rng.normal(0, 1e-3));
    const ds = datasetFromColumns(big, { T, y: T.map(() => rng.normal()) });
    const direct = directStats(T);
    const shifted = scalerFromSums(featureSums(ds));
    assert.ok(Math.abs(shifted.std[0] / direct.std - 1) < 1e-6, `shifted std ${shifted.std[0]} vs ${direct.std}`);
    // Without the shift, sumSq − sum²/n cancels catastrophically at this scale.
    const unshifted = scalerFromSums(featureSums(ds, { shift: { T: 0 } }));
    assert.ok(Math.abs(unshifted.std[0] / direct.std - 1) > 1e-3);
  });

  it('refuses to add sums with different shifts or columns', () => {
    const a = featureSums(plant(1, 10, 350));
    assert.throws(() => combineSums([a, { ...a, shift: [0, 0] }]), /shifts column 'T' by 0, part 0 by 350/);
    assert.throws(() => combineSums([a, { ...a, columns: ['y', 'T'] }]), /part 1 has columns \[y, T\]/);
  });

  it('maps a constant column to zero instead of dividing by zero', () => {
    const ds = datasetFromColumns(schema, { T: [350, 350, 350], y: [1, 2, 3] });
    const scaled = standardize(ds, fitStandardizer(ds));
    assert.deepEqual([...scaled.columns.T], [0, 0, 0]);
    assert.equal(sliceDataset(scaled, { start: 1, end: 3 }).length, 2);
  });
});
