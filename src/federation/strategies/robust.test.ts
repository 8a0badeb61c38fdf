import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FitReply } from '../messages.js';
import type { PlantMiddleware } from '../plant.js';
import { runFederation } from '../run.js';
import { emptyState, type Strategy } from '../strategy.js';
import { pooledLeastSquares } from '../synthetic.js';
import { distance, lastRound, linearFederation } from '../test-support.js';
import { Rng } from '../../tensor/rng.js';
import { fedAvg } from './fed-avg.js';
import { krum, median, trimmedMean } from './robust.js';

const honest = { rows: 80, featureStd: [1, 1], weights: [1, -2], bias: 0.3, noiseStd: 0.05 };

/** A faulty plant: trains like the others, then replaces its update by huge finite noise. */
const garbage: PlantMiddleware = (next) => async (task) => {
  const reply = await next(task);
  if (!reply.ok || reply.kind !== 'fit') return reply;
  const rng = new Rng(task.round);
  const update = new Float64Array(reply.arrays.update!.length).map(() => rng.normal(0, 1e6));
  return { ...reply, arrays: { ...reply.arrays, update } };
};

async function distanceWithOneFaultyPlant(strategy: Strategy): Promise<number> {
  const fed = linearFederation([honest, honest, honest, honest, honest], {
    seed: 11, validationFraction: 0, middleware: (id) => (id === 'plant-4' ? [garbage] : []),
  });
  const last = await lastRound(
    runFederation(fed.grid, strategy, {
      runId: 'robust', rounds: 12, seed: 2, initialParameters: fed.initial,
      training: { epochs: 5, batchSize: 80, learningRate: 0.1, optimizer: 'sgd' }, minPlants: 5,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 }, evaluateEvery: 0,
    }),
  );
  return distance(last.globalParameters, pooledLeastSquares(fed.data.slice(0, 4)));
}

function reply(plantId: string, update: number[]): FitReply {
  return { ok: true, kind: 'fit', runId: 'r', round: 1, plantId, numExamples: 1, metrics: {}, arrays: { update: Float64Array.from(update) } };
}

describe('robust aggregation with one plant sending garbage updates', () => {
  it('median, trimmed mean and multi-Krum stay near the honest optimum while FedAvg is wrecked', async () => {
    const avg = await distanceWithOneFaultyPlant(fedAvg());
    const med = await distanceWithOneFaultyPlant(median());
    const trim = await distanceWithOneFaultyPlant(trimmedMean({ trimCount: 1 }));
    const kr = await distanceWithOneFaultyPlant(krum({ byzantine: 1, selected: 3 }));
    console.log(`distance to the honest plants' optimum: fedAvg ${avg.toExponential(2)}, median ${med.toFixed(4)}, trimmedMean ${trim.toFixed(4)}, krum ${kr.toFixed(4)}`);
    assert.ok(avg > 1e3, `fedAvg ${avg}`);
    for (const [name, d] of [['median', med], ['trimmedMean', trim], ['krum', kr]] as const) assert.ok(d < 0.05, `${name} ${d}`);
  });
});

describe('robust statistics', () => {
  it('median takes the middle value per coordinate (mean of the middle two for even counts)', () => {
    const out = median().aggregateFit({ round: 1, parameters: Float64Array.of(0, 0), state: emptyState, results: [reply('a', [1, 10]), reply('b', [100, 20]), reply('c', [3, -5]), reply('d', [2, 1e9])] });
    assert.deepEqual(Array.from(out.parameters), [2.5, 15]);
  });

  it('trimmed mean drops the extremes at both ends before averaging', () => {
    const out = trimmedMean({ trimCount: 1 }).aggregateFit({ round: 1, parameters: Float64Array.of(0), state: emptyState, results: [reply('a', [1]), reply('b', [2]), reply('c', [3]), reply('d', [-1e9]), reply('e', [1e9])] });
    assert.equal(out.parameters[0], 2);
  });

  it('Krum picks the update closest to its neighbours, not an outlier', () => {
    const out = krum({ byzantine: 1, selected: 1 }).aggregateFit({
      round: 1, parameters: Float64Array.of(0, 0), state: emptyState,
      results: [reply('a', [1, 1]), reply('b', [1.1, 0.9]), reply('c', [0.9, 1.05]), reply('d', [1.02, 1.0]), reply('e', [50, -50])],
    });
    // Scores over the 2 nearest: a 0.0004 + 0.0125, d 0.0004 + 0.0164, b and c larger, e enormous.
    assert.deepEqual(Array.from(out.parameters), [1, 1]);
  });
});
