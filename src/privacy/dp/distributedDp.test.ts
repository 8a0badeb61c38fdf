import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import type { FitTask, PlantReply } from '../../federation/messages.js';
import type { PlantMiddleware } from '../../federation/plant.js';
import { runFederation, type FederationOptions } from '../../federation/run.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import { linearFederation } from '../../federation/test-support.js';
import { Rng } from '../../tensor/rng.js';
import { seededEntropy } from '../secagg/entropy.js';
import { secureFitCollector } from '../secagg/fitCollector.js';
import { secureAggregationPlant } from '../secagg/plantMiddleware.js';
import { RdpAccountant } from './accountant.js';
import { distributedDpCodec, distributedDpEvent, distributedDpPlant } from './distributedDp.js';
import { accounted } from './accounted.js';
import { BudgetGuard } from './budget.js';
import { MemoryPrivacyLedger } from './ledger.js';

const fitTask: FitTask = { kind: 'fit', runId: 'r', round: 1, config: { epochs: 1, batchSize: 1, learningRate: 0.1, optimizer: 'sgd', seed: 1 }, arrays: { parameters: new Float64Array(1) } };

test('each plant’s noised update lies on the grid and carries discrete Gaussian noise of variance σ²γ²', async () => {
  const d = 20000;
  const g = 2 ** -10;
  const sigma = 6;
  const inner = async (): Promise<PlantReply> => ({ ok: true, kind: 'fit', runId: 'r', round: 1, plantId: 'a', numExamples: 1, metrics: {}, arrays: { update: new Float64Array(d) } });
  const handler = distributedDpPlant({ clipNorm: 1, granularity: g, localNoiseStdDev: sigma, uniform: new Rng(4) })(inner, { plantId: 'a', numTrainExamples: 1 });
  const reply = await handler(fitTask);
  assert.ok(reply.ok);
  const update = reply.arrays.update!;
  assert.ok(update.every((v) => Number.isInteger(v / g)));
  const variance = update.reduce((s, v) => s + (v / g) ** 2, 0) / d;
  assert.ok(Math.abs(variance / (sigma * sigma) - 1) < 0.04, `variance ${variance}`);
});

test('under SecAgg the coordinator’s sum is exactly the sum of the plants’ noised integer updates', async () => {
  const dp = { clipNorm: 0.5, granularity: 2 ** -14, localNoiseStdDev: 20 };
  const sent = new Map<string, Float64Array>();
  const spy: PlantMiddleware = (next, plant) => async (task) => {
    const reply = await next(task);
    if (task.kind === 'fit' && reply.ok) sent.set(plant.plantId, reply.arrays.update!);
    return reply;
  };
  const specs = [0, 1, 2, 3].map((p) => ({ rows: 30, featureStd: [1, 1], weights: [1, p / 4], noiseStd: 0.05 }));
  const fed = linearFederation(specs, { seed: 2, middleware: (id) => [secureAggregationPlant({ entropy: seededEntropy(id) }), spy, distributedDpPlant({ ...dp, uniform: new Rng(id.length * 7 + Number(id.at(-1))) })] });
  const codec = distributedDpCodec({ ...dp, plants: 4 });
  const options: FederationOptions = {
    runId: 'ddp', rounds: 1, seed: 1, initialParameters: fed.initial,
    training: { epochs: 1, batchSize: 10, learningRate: 0.05, optimizer: 'sgd' },
    minPlants: 4, timeouts: { waitForPlantsMs: 1000, fitMs: 5000, evaluateMs: 5000 }, evaluateEvery: 0,
  };
  const collectFit = secureFitCollector({ clipRange: codec.clipRange, scale: { update: codec.scale }, entropy: seededEntropy('c') });
  let released: Float64Array | undefined;
  for await (const r of runFederation(fed.grid, fedAvg(), { ...options, collectFit })) released = r.globalParameters;
  const expected = fed.initial.map((w, i) => w + [...sent.values()].reduce((s, u) => s + u[i], 0) / 4);
  assert.equal(sent.size, 4);
  assert.deepEqual(Array.from(released!), Array.from(expected));
});

test('the codec refuses settings whose noisy sum could wrap around 2^32', () => {
  assert.throws(() => distributedDpCodec({ clipNorm: 1, granularity: 2 ** -24, localNoiseStdDev: 1000, plants: 200 }), (e) => isCrucibleError(e, 'SECAGG_UNSAFE_PARAMETERS'));
});

test('distributed DP accounting: more local noise or more plants give a smaller ε, and τ is negligible for σ ≥ 1', () => {
  const eps = (sigma: number, plants: number) =>
    new RdpAccountant().compose(distributedDpEvent({ clipNorm: 1, granularity: 2 ** -8, localNoiseStdDev: sigma, dimension: 1000, minimumPlants: plants, steps: 10 })).epsilon(1e-5);
  assert.ok(eps(200, 10) < eps(100, 10));
  assert.ok(eps(100, 20) < eps(100, 10));
  const e = distributedDpEvent({ clipNorm: 1, granularity: 2 ** -8, localNoiseStdDev: 2, dimension: 1000, minimumPlants: 10 });
  assert.ok(e.tau < 1e-15, `τ = ${e.tau}`);
  // With negligible τ the mechanism is the Gaussian one with z = √n·σ/Δ₂: compare.
  const z = 1 / e.l2Scale;
  const gaussian = new RdpAccountant().compose({ noiseMultiplier: z, samplingRate: 1, steps: 1 }).epsilon(1e-5);
  const discrete = new RdpAccountant().compose(e).epsilon(1e-5);
  assert.ok(Math.abs(discrete / gaussian - 1) < 1e-6, `${discrete} vs ${gaussian}`);
});

test('a distributed-DP run is stopped by its budget like a central one', () => {
  const ledger = new MemoryPrivacyLedger();
  const guard = new BudgetGuard({ epsilon: 3, delta: 1e-5 }, ledger);
  const event = distributedDpEvent({ clipNorm: 1, granularity: 2 ** -8, localNoiseStdDev: 600, dimension: 100, minimumPlants: 8 });
  const strategy = accounted(fedAvg(), guard, event, 'distributed-dp');
  let parameters: Float64Array = new Float64Array(2);
  let state = strategy.initialState(parameters);
  let ran = 0;
  const reply = { ok: true as const, kind: 'fit' as const, runId: 'r', round: 1, plantId: 'a', numExamples: 1, metrics: {}, arrays: { update: new Float64Array(2) } };
  assert.throws(() => {
    for (let round = 1; round <= 1000; round++) {
      strategy.configureFit({ round, plantIds: ['a'], parameters, state });
      ({ parameters, state } = strategy.aggregateFit({ round, parameters, state, results: [reply] }));
      ran++;
    }
  }, (e) => isCrucibleError(e, 'BUDGET_EXHAUSTED'));
  assert.ok(ran >= 1 && ran < 1000, `${ran} rounds`);
  assert.equal(ledger.entries().length, ran);
  assert.ok(guard.spent() <= 3);
});
