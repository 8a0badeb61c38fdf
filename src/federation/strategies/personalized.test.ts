import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFederation } from '../run.js';
import type { Strategy } from '../strategy.js';
import { lastRound, linearFederation } from '../test-support.js';
import { fedAvg } from './fed-avg.js';
import { personalized } from './personalized.js';

/** Plants whose processes respond differently (concept shift): one global model fits none of them well. */
const plants = [
  { rows: 200, featureStd: [1, 1], weights: [2, 0], bias: 1, noiseStd: 0.05 },
  { rows: 200, featureStd: [1, 1], weights: [0, 2], bias: -1, noiseStd: 0.05 },
  { rows: 200, featureStd: [1, 1], weights: [-1, -1], bias: 0, noiseStd: 0.05 },
];

async function run(strategy: Strategy) {
  const fed = linearFederation(plants, { seed: 21 });
  return lastRound(
    runFederation(fed.grid, strategy, {
      runId: 'personal', rounds: 8, seed: 4, initialParameters: fed.initial,
      training: { epochs: 2, batchSize: 32, learningRate: 0.05, optimizer: 'sgd' }, minPlants: 3,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    }),
  );
}

describe('personalization', () => {
  it('evaluating after k local fine-tuning steps lowers every plant’s held-out error; the global model is unchanged', async () => {
    const global = await run(fedAvg());
    const local = await run(personalized(fedAvg(), { fineTuneSteps: 30, learningRate: 0.1 }));
    assert.deepEqual(local.globalParameters, global.globalParameters);
    for (const id of ['plant-0', 'plant-1', 'plant-2']) {
      const g = global.evaluation!.perPlant[id].mse;
      const p = local.evaluation!.perPlant[id].mse;
      // The plant reports the global model's error too, and it is the one the plain run measured.
      assert.equal(local.evaluation!.perPlant[id].globalMse, g);
      console.log(`${id}: held-out MSE of the global model ${g.toFixed(4)}, after 30 fine-tuning steps ${p.toFixed(4)}`);
      assert.ok(p < 0.2 * g, `${id}: ${p} vs ${g}`);
    }
    assert.ok(local.evaluation!.weighted.r2 > global.evaluation!.weighted.r2);
  });
});
