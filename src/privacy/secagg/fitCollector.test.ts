import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederation, type FederationOptions } from '../../federation/run.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import { linearFederation, lastRound, distance } from '../../federation/test-support.js';
import type { LinearPlantSpec } from '../../federation/synthetic.js';
import { seededEntropy } from './entropy.js';
import { secureFitCollector } from './fitCollector.js';
import { secureAggregationPlant } from './plantMiddleware.js';

const specs: LinearPlantSpec[] = [
  { rows: 60, featureStd: [1, 2], weights: [1.5, -0.5], bias: 0.3, noiseStd: 0.05 },
  { rows: 90, featureStd: [2, 1], weights: [1.4, -0.6], bias: 0.2, noiseStd: 0.05 },
  { rows: 40, featureStd: [1, 1], weights: [1.6, -0.4], bias: 0.4, noiseStd: 0.05 },
];

const options = (initial: Float64Array): FederationOptions => ({
  runId: 'secagg-run', rounds: 4, seed: 11, initialParameters: initial,
  training: { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
  minPlants: 3, timeouts: { waitForPlantsMs: 1000, fitMs: 5000, evaluateMs: 5000 },
});

test('federated training under SecAgg+ ends where plaintext FedAvg ends, to quantization error', async () => {
  const plain = linearFederation(specs, { seed: 3 });
  const plainLast = await lastRound(runFederation(plain.grid, fedAvg(), options(plain.initial)));

  const secure = linearFederation(specs, { seed: 3, middleware: (id) => [secureAggregationPlant({ entropy: seededEntropy(id) })] });
  // exampleCap ≥ every plant's size: weights nᵢ/cap give exactly FedAvg's sample weighting.
  const collectFit = secureFitCollector({ clipRange: 4, exampleCap: 1000, entropy: seededEntropy('coord') });
  const secureLast = await lastRound(runFederation(secure.grid, fedAvg(), { ...options(secure.initial), collectFit }));

  const gap = distance(plainLast.globalParameters, secureLast.globalParameters);
  assert.ok(gap < 1e-6, `parameters differ by ${gap}`);
  assert.deepEqual([...secureLast.participants], ['plant-0', 'plant-1', 'plant-2']);
  assert.equal(secureLast.fit.aggregated.numExamples, plainLast.fit.aggregated.numExamples);
  const rmse = (r: typeof plainLast) => r.evaluation!.weighted.rmse;
  assert.ok(Math.abs(rmse(plainLast) - rmse(secureLast)) < 1e-6, `rmse ${rmse(plainLast)} vs ${rmse(secureLast)}`);
});
