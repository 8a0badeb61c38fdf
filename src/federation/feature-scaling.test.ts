import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../errors.js';
import { federatedScaling, meanAndStd } from './feature-scaling.js';
import type { Grid, SendOptions } from './grid.js';
import type { TaskMessage } from './messages.js';
import { runFederation } from './run.js';
import { fedAvg } from './strategies/fed-avg.js';
import { plainSummation, type Summation } from './summation.js';
import { lastRound, linearFederation } from './test-support.js';

/** Plants measuring around very different operating points (temperatures in K, pressures in Pa). */
const plants = [
  { rows: 80, featureMean: [520, 2.0e5], featureStd: [4, 3e3], weights: [0.05, 1e-5], bias: -20, noiseStd: 0.01 },
  { rows: 120, featureMean: [560, 2.4e5], featureStd: [6, 5e3], weights: [0.05, 1e-5], bias: -20, noiseStd: 0.01 },
  { rows: 50, featureMean: [540, 1.8e5], featureStd: [2, 1e3], weights: [0.05, 1e-5], bias: -20, noiseStd: 0.01 },
];

describe('federated feature scaling', () => {
  it('equals the mean and standard deviation of the pooled training rows', async () => {
    const fed = linearFederation(plants, { seed: 8, validationFraction: 0 });
    const { scaling, contributors, examples } = await federatedScaling(fed.grid, fed.plantIds, { runId: 's', timeoutMs: 2000 });
    assert.deepEqual(contributors, fed.plantIds);
    assert.equal(examples, 250);
    const rows = fed.data.flatMap((d) => Array.from({ length: d.x.rows }, (_, i) => [d.x.data[2 * i], d.x.data[2 * i + 1]]));
    for (let j = 0; j < 2; j++) {
      const col = rows.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      assert.ok(Math.abs(scaling.featureMean[j] - mean) <= 1e-12 * Math.abs(mean), `mean ${j}`);
      assert.ok(Math.abs(scaling.featureStd[j] - std) <= 1e-7 * std, `std ${j}: ${scaling.featureStd[j]} vs ${std}`);
    }
  });

  it('gives a constant column a unit deviation instead of dividing by zero', () => {
    const [mean, std] = meanAndStd(Float64Array.of(30, 6), Float64Array.of(300, 14), 3);
    assert.deepEqual(Array.from(mean), [10, 2]);
    assert.equal(std[0], 1);
    assert.ok(Math.abs(std[1] - Math.sqrt(14 / 3 - 4)) < 1e-12);
  });

  it('goes through the Summation it is given, which alone sees the plants’ replies', async () => {
    const fed = linearFederation(plants, { seed: 8 });
    const calls: string[][] = [];
    const recording: Summation = {
      sum: (grid: Grid, ids: readonly string[], task: TaskMessage, o: SendOptions) => {
        calls.push([...ids]);
        return plainSummation.sum(grid, ids, task, o);
      },
    };
    await lastRound(runFederation(fed.grid, fedAvg(), {
      runId: 'via-summation', rounds: 1, seed: 1, initialParameters: fed.initial, minPlants: 3, featureScaling: true, summation: recording,
      training: { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' }, timeouts: { waitForPlantsMs: 1000, fitMs: 2000, evaluateMs: 2000 },
    }));
    assert.deepEqual(calls, [fed.plantIds]);
  });

  it('lets plants far from zero train with SGD, where raw features diverge', async () => {
    const run = async (featureScaling: boolean) => {
      const fed = linearFederation(plants, { seed: 8 });
      return lastRound(runFederation(fed.grid, fedAvg(), {
        runId: 'scaled', rounds: 10, seed: 1, initialParameters: fed.initial, minPlants: 2, featureScaling,
        training: { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' }, timeouts: { waitForPlantsMs: 1000, fitMs: 2000, evaluateMs: 2000 },
      }));
    };
    const scaled = await run(true);
    console.log(`with federated scaling after 10 rounds: pooled R² ${scaled.evaluation!.weighted.r2.toFixed(4)}, RMSE ${scaled.evaluation!.weighted.rmse.toFixed(4)}`);
    assert.ok(scaled.evaluation!.weighted.r2 > 0.95, String(scaled.evaluation!.weighted.r2));
    // Raw features of ~10⁵: the first SGD step overflows; every plant reports a failed fit, no quorum.
    await assert.rejects(run(false), (e) => {
      assert.ok(isCrucibleError(e, 'QUORUM_NOT_REACHED'), String(e));
      assert.deepEqual((e.details.dropped as { code: string }[]).map((d) => d.code), ['NOT_CONVERGED', 'NOT_CONVERGED', 'NOT_CONVERGED']);
      return true;
    });
  });

  it('throws QUORUM_NOT_REACHED when too few plants send statistics', async () => {
    const fed = linearFederation(plants, { seed: 8 });
    fed.grid.disconnect('plant-1');
    await assert.rejects(federatedScaling(fed.grid, fed.plantIds, { runId: 's', timeoutMs: 500, minPlants: 3 }), (e) => isCrucibleError(e, 'QUORUM_NOT_REACHED'));
  });
});
