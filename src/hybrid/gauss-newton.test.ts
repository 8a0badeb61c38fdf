import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPlant } from '../federation/plant.js';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { runFederation } from '../federation/run.js';
import { fedAdam } from '../federation/strategies/fed-opt.js';
import type { RoundResult } from '../federation/round-result.js';
import { seededEntropy } from '../privacy/secagg/entropy.js';
import { secureFitCollector } from '../privacy/secagg/fitCollector.js';
import { secureAggregationPlant } from '../privacy/secagg/plantMiddleware.js';
import { exp, mul, neg, sliceCols, add } from '../tensor/ops/index.js';
import { solve } from '../tensor/ops/solve.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { gaussNewton, gaussNewtonTasks } from './gauss-newton.js';
import { HybridModel } from './hybrid-model.js';
import { keepPlantParametersLocal } from './plant-parameters.js';

/** y = A_plant · e^(−k t) + c: a shared rate k and offset c, a plant-specific amplitude A. */
const model = () => new HybridModel({
  inputSize: 1, outputSize: 1,
  parameters: [
    { name: 'rate', initial: 0.2, transform: { kind: 'log' } },
    { name: 'offset', initial: 0 },
    { name: 'amplitude', initial: 1, transform: { kind: 'log' }, scope: 'plant' },
  ],
  equations: (p, x) => add(mul(exp(mul(sliceCols(x, 0, 1), neg(p.rate))), p.amplitude), p.offset),
});

/** Three plants sampling different time windows, with different amplitudes. */
const plants = [[0, 1, 2.0], [0.5, 3, 1.2], [2, 6, 3.1]].map(([t0, t1, amplitude], i) => {
  const rng = new Rng(40 + i);
  const n = 40;
  const x = new Tensor(n, 1, Float64Array.from({ length: n }, () => rng.uniform(t0, t1)));
  const y = new Tensor(n, 1, x.data.map((t) => amplitude * Math.exp(-0.7 * t) + 0.3 + rng.normal(0, 0.01)));
  return { plantId: `plant-${i}`, x, y };
});

/** The joint least-squares fit of all rows at once (raw parameters: ln k, c, ln A_0, ln A_1, ln A_2), by Gauss–Newton with steps capped at 0.5. */
function centralFit(): number[] {
  let theta = [Math.log(0.2), 0, 0, 0, 0];
  const residuals = (t: number[]): number[] => plants.flatMap((p, i) => Array.from(p.x.data, (x, r) => Math.exp(t[2 + i]) * Math.exp(-Math.exp(t[0]) * x) + t[1] - p.y.data[r]));
  for (let it = 0; it < 50; it++) {
    const r0 = residuals(theta);
    const J = theta.map((_, j) => {
      const shifted = theta.slice();
      shifted[j] += 1e-7;
      return residuals(shifted).map((v, k) => (v - r0[k]) / 1e-7);
    });
    const a = new Tensor(5, 5, Float64Array.from({ length: 25 }, (_, k) => J[Math.floor(k / 5)].reduce((s, v, r) => s + v * J[k % 5][r], 0)));
    const b = new Tensor(5, 1, Float64Array.from(J, (col) => -col.reduce((s, v, r) => s + v * r0[r], 0)));
    const step = solve(a, b).data;
    const shrink = Math.min(1, 0.5 / Math.max(...step.map(Math.abs)));
    theta = theta.map((v, j) => v + shrink * step[j]);
  }
  return theta;
}

async function federate(options: { secure?: boolean; strategy?: 'gauss-newton' | 'fedadam'; rounds: number }) {
  const locals = plants.map(() => keepPlantParametersLocal(model().indicesOf('plant')));
  const grid = new InMemoryGrid(plants.map((p, i) => createPlant({
    plantId: p.plantId, data: { x: p.x, y: p.y }, validationFraction: 0, model,
    middleware: [
      ...(options.secure ? [secureAggregationPlant({ entropy: seededEntropy(p.plantId) })] : []),
      locals[i].middleware,
      gaussNewtonTasks({ model, train: { x: p.x, y: p.y } }),
    ],
  })));
  const rounds: RoundResult[] = [];
  for await (const r of runFederation(grid, options.strategy === 'fedadam' ? fedAdam({ serverLearningRate: 0.05 }) : gaussNewton(), {
    runId: 'gn', rounds: options.rounds, seed: 1, initialParameters: model().parameters.get(), minPlants: 3, evaluateEvery: 0,
    training: { epochs: 1, batchSize: 1000, learningRate: 0.3, optimizer: 'sgd' },
    timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    ...(options.secure ? { collectFit: secureFitCollector({ clipRange: 5, exampleCap: 1000, entropy: seededEntropy('coordinator') }) } : {}),
  })) rounds.push(r);
  const last = rounds[rounds.length - 1].globalParameters;
  // Raw (ln k, c) shared, then each plant's own ln A.
  return { rounds, theta: [last[0], last[1], ...locals.map((l) => l.personalize(last)[2])] };
}

describe('federated Gauss–Newton', () => {
  it('reaches the joint least-squares fit of all plants\' rows, plant-specific parameters eliminated at each plant', async () => {
    const central = centralFit();
    const { rounds, theta } = await federate({ rounds: 12 });
    const gap = Math.max(...theta.map((v, j) => Math.abs(v - central[j])));
    const adam = await federate({ rounds: 12, strategy: 'fedadam' });
    const adamGap = Math.max(...adam.theta.map((v, j) => Math.abs(v - central[j])));
    console.log(`  central k ${Math.exp(central[0]).toFixed(5)} c ${central[1].toFixed(5)} A ${central.slice(2).map((a) => Math.exp(a).toFixed(4))}`);
    console.log(`  after 12 rounds: Gauss–Newton largest raw difference ${gap.toExponential(2)}, FedAdam ${adamGap.toExponential(2)}; pooled loss ${rounds.map((r) => r.fit.aggregated.pooledLoss.toExponential(2)).join(' ')}`);
    assert.ok(gap < 1e-6, `Gauss–Newton ends ${gap} from the joint fit`);
    assert.ok(adamGap > 100 * gap, 'first-order training is far slower on the same problem');
    // Accepted steps never raise the pooled loss (Levenberg–Marquardt).
    const accepted = rounds.filter((r) => r.fit.aggregated.stepAccepted === 1).map((r) => r.fit.aggregated.pooledLoss);
    for (let k = 1; k < accepted.length; k++) assert.ok(accepted[k] <= accepted[k - 1] * (1 + 1e-12), `pooled loss rose at accepted step ${k}`);
  });

  it('works unchanged under secure aggregation (the coordinator sees only the pooled statistics)', async () => {
    const plain = await federate({ rounds: 8 });
    const secure = await federate({ rounds: 8, secure: true });
    const gap = Math.max(...secure.theta.map((v, j) => Math.abs(v - plain.theta[j])));
    assert.ok(gap < 1e-5, `secure and plaintext runs differ by ${gap}`);
    assert.ok(secure.rounds.every((r) => Object.values(r.fit.perPlant).every((m) => m.secureAggregate === 1)));
  });

  it('names what is missing when a plant does not answer with Gauss–Newton statistics', async () => {
    const grid = new InMemoryGrid([createPlant({ plantId: 'bare', data: { x: plants[0].x, y: plants[0].y }, validationFraction: 0, model })]);
    await assert.rejects(async () => {
      for await (const _ of runFederation(grid, gaussNewton(), {
        runId: 'gn-bare', rounds: 1, seed: 1, initialParameters: model().parameters.get(), minPlants: 1, evaluateEvery: 0,
        training: { epochs: 1, batchSize: 10, learningRate: 0.1, optimizer: 'sgd' }, timeouts: { waitForPlantsMs: 1000, fitMs: 5000, evaluateMs: 5000 },
      })) { /* rounds */ }
    }, /plant 'bare' sent no Gauss–Newton statistics of a 3-parameter model \(is gaussNewtonTasks in its middleware\?\)/);
  });
});
