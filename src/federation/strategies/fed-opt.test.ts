import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FitReply } from '../messages.js';
import { runFederation } from '../run.js';
import type { Strategy } from '../strategy.js';
import { pooledLeastSquares } from '../synthetic.js';
import { distance, lastRound, linearFederation } from '../test-support.js';
import { fedAvg } from './fed-avg.js';
import { fedAdagrad, fedAdam, fedYogi } from './fed-opt.js';

/** iid plants with badly scaled features: plain averaging crawls along the flat direction. */
const illConditioned = [0, 1, 2].map(() => ({ rows: 100, featureStd: [3, 0.1], weights: [1, 2], bias: 0.5, noiseStd: 0.01 }));

async function distanceAfter(strategy: Strategy, rounds: number): Promise<number> {
  const fed = linearFederation(illConditioned, { seed: 5, validationFraction: 0 });
  const last = await lastRound(
    runFederation(fed.grid, strategy, {
      runId: 'opt', rounds, seed: 1, initialParameters: fed.initial,
      training: { epochs: 1, batchSize: 100, learningRate: 0.05, optimizer: 'sgd' }, minPlants: 3,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 }, evaluateEvery: 0,
    }),
  );
  return distance(last.globalParameters, pooledLeastSquares(fed.data));
}

describe('server optimizers on the pseudo-gradient', () => {
  it('FedAdam, FedYogi and FedAdagrad converge on an ill-conditioned problem where FedAvg crawls', async () => {
    const rounds = 60;
    const avg = await distanceAfter(fedAvg(), rounds);
    const adam = await distanceAfter(fedAdam({ serverLearningRate: 0.1 }), rounds);
    const yogi = await distanceAfter(fedYogi({ serverLearningRate: 0.1 }), rounds);
    const adagrad = await distanceAfter(fedAdagrad({ serverLearningRate: 1 }), rounds);
    console.log(`distance to the optimum after ${rounds} rounds: fedAvg ${avg.toFixed(4)}, fedAdam ${adam.toFixed(4)}, fedYogi ${yogi.toFixed(4)}, fedAdagrad ${adagrad.toFixed(4)}`);
    assert.ok(avg > 1, `fedAvg ${avg}`);
    for (const [name, d] of [['fedAdam', adam], ['fedYogi', yogi], ['fedAdagrad', adagrad]] as const) assert.ok(d < 0.1, `${name} ${d}`);
  });

  it('keeps its moments in the strategy state, and the state decides the step', () => {
    const s = fedAdam({ serverLearningRate: 1, beta1: 0, beta2: 0, tau: 1e-9 });
    const parameters = Float64Array.of(0, 0);
    const results: FitReply[] = [{ ok: true, kind: 'fit', runId: 'r', round: 1, plantId: 'a', numExamples: 1, metrics: {}, arrays: { update: Float64Array.of(0.5, -2) } }];
    const out = s.aggregateFit({ round: 1, parameters, state: s.initialState(parameters), results });
    // With β₁ = β₂ = 0 Adam's step is η·Δ/|Δ|: one unit along each coordinate's sign.
    assert.ok(Math.abs(out.parameters[0] - 1) < 1e-6 && Math.abs(out.parameters[1] + 1) < 1e-6, String(out.parameters));
    assert.deepEqual(Array.from(out.state.arrays.m), [0.5, -2]);
    assert.deepEqual(Array.from(out.state.arrays.v), [0.25, 4]);
  });

  it('FedYogi grows v additively toward Δ² (and never makes it negative)', () => {
    const s = fedYogi({ beta2: 0.5, tau: 1e-3 });
    const parameters = Float64Array.of(0);
    let state = s.initialState(parameters);
    const results: FitReply[] = [{ ok: true, kind: 'fit', runId: 'r', round: 1, plantId: 'a', numExamples: 1, metrics: {}, arrays: { update: Float64Array.of(2) } }];
    const seen: number[] = [];
    for (let t = 0; t < 30; t++) {
      state = s.aggregateFit({ round: t + 1, parameters, state, results }).state;
      seen.push(state.arrays.v[0]);
    }
    // v − (1−β₂)Δ²·sign(v − Δ²): +2 per round while v < 4, then oscillates at 4 ± 2 (bounded, positive).
    assert.ok(Math.abs(seen[0] - (1e-6 + 2)) < 1e-12, String(seen[0]));
    assert.ok(seen.every((v) => v > 0 && v <= 6 + 1e-9), seen.join(', '));
  });
});
