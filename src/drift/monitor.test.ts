import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { DriftMonitor } from './monitor.js';
import { retrainingDecision } from './retraining.js';

function reference(rng: Rng, n: number): Tensor {
  const t = new Tensor(n, 2);
  for (let i = 0; i < n; i++) t.data.set([rng.normal(10, 1), rng.normal(0, 2)], i * 2);
  return t;
}

describe('DriftMonitor', () => {
  it('flags a feature whose recent window left the training distribution, and reports only scores', async () => {
    const rng = new Rng(1);
    const monitor = new DriftMonitor({ reference: reference(rng, 500), residual: { kind: 'adwin' }, windowSize: 150 });
    for (let t = 0; t < 150; t++) monitor.observe([rng.normal(10, 1), rng.normal(0, 2)], rng.normal(0, 0.1));
    const quiet = monitor.status();
    assert.equal(quiet.drift, false, `stationary: p-values ${Array.from(quiet.featurePValues)}`);
    for (let t = 0; t < 150; t++) monitor.observe([rng.normal(10, 1), rng.normal(1.5, 2)], rng.normal(0, 0.1)); // feature 1 shifts
    const s = monitor.status();
    assert.ok(s.featureDrift && !s.residualDrift && s.drift && s.featureScore >= 1, JSON.stringify({ ...s, featurePValues: Array.from(s.featurePValues) }));
    assert.ok(s.featurePValues[1] < 1e-4 && s.featurePValues[0] > 0.01);

    const reply = await monitor.handlers('plant-x').drift({ kind: 'drift', runId: 'w', round: 3, config: {}, arrays: {} });
    assert.ok(reply.ok);
    assert.deepEqual(Object.keys(reply.arrays), ['featurePValues']);
    assert.equal(reply.metrics.drift, 1);
    assert.equal(reply.numExamples, 300);
    await monitor.handlers('plant-x')['drift-reset']({ kind: 'drift-reset', runId: 'w', round: 4, config: {}, arrays: {} });
    assert.equal(monitor.status().samples, 0);
    assert.equal(monitor.status().drift, false);
  });

  it('latches a residual alarm until reset', () => {
    const rng = new Rng(2);
    const monitor = new DriftMonitor({ reference: reference(rng, 100), residual: { kind: 'page-hinkley', delta: 0.01, lambda: 2 }, windowSize: 50 });
    for (let t = 0; t < 300; t++) monitor.observe([rng.normal(10, 1), rng.normal(0, 2)], rng.normal(t < 100 ? 0 : 0.8, 0.1));
    const s = monitor.status();
    assert.ok(s.residualDrift && s.driftedAtSample > 100 && s.driftedAtSample < 130, `alarm at ${s.driftedAtSample}`);
    assert.ok(s.residualScore >= 1);
  });
});

describe('retrainingDecision', () => {
  const reports = ['a', 'b', 'c', 'd'].map((plantId, i) => ({ plantId, drift: i < 2, score: i < 2 ? 1.5 : 0.2, samples: 100 }));
  it('retrains when enough plants drift, by count and by share', () => {
    assert.equal(retrainingDecision(reports, { minDriftingPlants: 2 }).retrain, true);
    assert.equal(retrainingDecision(reports, { minDriftingPlants: 3 }).retrain, false);
    assert.equal(retrainingDecision(reports, { minDriftingFraction: 0.5 }).retrain, true);
    assert.equal(retrainingDecision(reports, { minDriftingFraction: 0.75 }).retrain, false);
    assert.deepEqual(retrainingDecision(reports).drifting, ['a', 'b']);
    assert.throws(() => retrainingDecision(reports, { minDriftingPlants: 0 }), /minDriftingPlants must be a positive integer/);
  });
});
