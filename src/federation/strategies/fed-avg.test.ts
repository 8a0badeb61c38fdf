import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FitReply } from '../messages.js';
import { runFederation } from '../run.js';
import { emptyState } from '../strategy.js';
import { pooledLeastSquares } from '../synthetic.js';
import { distance, lastRound, linearFederation } from '../test-support.js';
import { fedAvg, fedProx } from './fed-avg.js';
import { scaffold } from './scaffold.js';

function reply(plantId: string, numExamples: number, update: number[]): FitReply {
  return { ok: true, kind: 'fit', runId: 'r', round: 1, plantId, numExamples, metrics: {}, arrays: { update: Float64Array.from(update) } };
}

/** Two plants whose features have very different spreads and whose targets follow opposite weights. */
const heterogeneousPlants = [
  { rows: 100, featureStd: [3, 0.3], weights: [1, -1], bias: 0.5 },
  { rows: 100, featureStd: [0.3, 3], weights: [-1, 1], bias: -0.5 },
  { rows: 100, featureStd: [1, 1], weights: [0.2, 0.3], bias: 0 },
];

/** Many local full-batch steps per round: where client drift shows. */
const manyLocalSteps = { epochs: 50, batchSize: 100, learningRate: 0.05, optimizer: 'sgd' } as const;

async function distanceToOptimum(strategy: ReturnType<typeof fedAvg>, rounds: number): Promise<number> {
  const fed = linearFederation(heterogeneousPlants, { seed: 3, validationFraction: 0 });
  const last = await lastRound(
    runFederation(fed.grid, strategy, {
      runId: 'drift', rounds, seed: 1, initialParameters: fed.initial, training: manyLocalSteps, minPlants: 3,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 }, evaluateEvery: 0,
    }),
  );
  return distance(last.globalParameters, pooledLeastSquares(fed.data));
}

describe('fedAvg', () => {
  it('moves the global model by the sample-weighted mean of the updates, for any updates and counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 3 })), { minLength: 1, maxLength: 6 }),
        (plants) => {
          const global = Float64Array.of(1, 2, 3);
          const results = plants.map(([n, u], i) => reply(`p${i}`, n, u));
          const out = fedAvg().aggregateFit({ round: 1, parameters: global, state: emptyState, results }).parameters;
          const total = plants.reduce((s, [n]) => s + n, 0);
          for (let k = 0; k < 3; k++) {
            const expected = global[k] + plants.reduce((s, [n, u]) => s + (n * u[k]) / total, 0);
            assert.ok(Math.abs(out[k] - expected) <= 1e-9 * (1 + Math.abs(expected)), `coordinate ${k}: ${out[k]} vs ${expected}`);
          }
        },
      ),
    );
  });

  it('a plant with three times the examples pulls three times as hard', () => {
    const out = fedAvg().aggregateFit({ round: 1, parameters: Float64Array.of(0), state: emptyState, results: [reply('a', 300, [1]), reply('b', 100, [-1])] });
    assert.equal(out.parameters[0], 0.5);
  });
});

describe('under strong heterogeneity (many local steps, non-iid plants)', () => {
  it('FedProx and SCAFFOLD end nearer the pooled optimum than FedAvg; SCAFFOLD nearly reaches it', async () => {
    const rounds = 20;
    const avg = await distanceToOptimum(fedAvg(), rounds);
    const prox = await distanceToOptimum(fedProx({ proximalMu: 1 }), rounds);
    const scaf = await distanceToOptimum(scaffold(), rounds);
    console.log(`distance to the pooled least-squares optimum after ${rounds} rounds: fedAvg ${avg.toFixed(4)}, fedProx(μ=1) ${prox.toFixed(4)}, scaffold ${scaf.toFixed(4)}`);
    // FedAvg drifts to a compromise of the plants' own optima and stays there.
    assert.ok(avg > 0.5, `fedAvg ${avg}`);
    assert.ok(prox < 0.8 * avg, `fedProx ${prox} vs fedAvg ${avg}`);
    assert.ok(scaf < 0.1 * avg && scaf < 0.08, `scaffold ${scaf} vs fedAvg ${avg}`);
  });

  it('FedProx with μ = 0 is FedAvg, bit for bit', async () => {
    assert.equal(await distanceToOptimum(fedProx({ proximalMu: 0 }), 3), await distanceToOptimum(fedAvg(), 3));
  });
});
