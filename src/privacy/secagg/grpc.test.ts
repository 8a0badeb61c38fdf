import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoopback } from '../../transport/test-support/loopback.js';
import { createPlant, type PlantMiddleware } from '../../federation/plant.js';
import type { StatisticsTask } from '../../federation/messages.js';
import { linearPlants } from '../../federation/synthetic.js';
import { Mlp } from '../../nn/mlp.js';
import { seededEntropy } from './entropy.js';
import { FixedPoint } from './fixedPoint.js';
import { secureAggregationPlant } from './plantMiddleware.js';
import { secureSummation } from './secureSummation.js';
import { secAggTaskKinds } from './tasks.js';

test('SecAgg+ over the real gRPC transport: the sum equals the plain sum, with a plant lost mid-round', async () => {
  const lb = await startLoopback();
  try {
    const specs = Array.from({ length: 6 }, (_, p) => ({ rows: 30 + p, featureStd: [1, 2], weights: [1, -1], noiseStd: 0.1 }));
    const data = linearPlants(specs, { seed: 4 });
    // plant-5 loses its connection when the masked-input stage reaches it.
    const dropOnMask: PlantMiddleware = (next, plant) => async (task) => {
      if (plant.plantId === 'plant-5' && task.kind === secAggTaskKinds.mask) await lb.connections.get('plant-5')!.close();
      return next(task);
    };
    data.forEach((d, p) => {
      const plantId = `plant-${p}`;
      const plant = createPlant({ plantId, data: d, validationFraction: 0, model: () => new Mlp({ widths: [2, 1] }), middleware: [dropOnMask, secureAggregationPlant({ entropy: seededEntropy(`grpc/${plantId}`) })] });
      lb.connect(plantId, plant.handle);
    });
    const ids = await lb.grid.waitForPlants(6, { timeoutMs: 5000 });
    assert.equal(ids.length, 6);
    const task: StatisticsTask = { kind: 'statistics', runId: 'grpc-run', round: 0, config: {}, arrays: {} };
    const clip = { featureSum: 500, featureSumSq: 2000, targetSum: 500, targetSumSq: 2000 };
    const out = await secureSummation({ clipRange: clip, degree: 4, threshold: 3, entropy: seededEntropy('grpc') }).sum(lb.grid, ids, task, { timeoutMs: 3000 });
    assert.deepEqual([...out.contributors], ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-4']);
    assert.deepEqual(out.failures.map((f) => f.plantId), ['plant-5']);
    const expected = { featureSum: new Float64Array(2), featureSumSq: new Float64Array(2), targetSum: new Float64Array(1), targetSumSq: new Float64Array(1) };
    let count = 0;
    for (const d of data.slice(0, 5)) {
      count += d.x.rows;
      for (let i = 0; i < d.x.rows; i++) {
        for (let j = 0; j < 2; j++) {
          expected.featureSum[j] += d.x.data[i * 2 + j];
          expected.featureSumSq[j] += d.x.data[i * 2 + j] ** 2;
        }
        expected.targetSum[0] += d.y.data[i];
        expected.targetSumSq[0] += d.y.data[i] ** 2;
      }
    }
    assert.equal(out.count, count);
    for (const [name, values] of Object.entries(expected)) {
      const bound = new FixedPoint({ clipRange: clip[name as keyof typeof clip], plants: 6 }).sumErrorBound;
      values.forEach((v, i) => assert.ok(Math.abs(out.sums[name][i] - v) <= bound, `${name}[${i}]: ${out.sums[name][i]} vs ${v}`));
    }
  } finally {
    await lb.close();
  }
});
