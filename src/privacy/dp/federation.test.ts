import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { runFederation, type FederationOptions } from '../../federation/run.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import { linearFederation } from '../../federation/test-support.js';
import type { LinearPlantSpec } from '../../federation/synthetic.js';
import type { RoundResult } from '../../federation/round-result.js';
import { CrucibleStore } from '../../store/store.js';
import { SqliteRoundStore } from '../../store/roundStore.js';
import { Rng } from '../../tensor/rng.js';
import { seededEntropy } from '../secagg/entropy.js';
import { secureFitCollector } from '../secagg/fitCollector.js';
import { secureAggregationPlant } from '../secagg/plantMiddleware.js';
import { BudgetGuard } from './budget.js';
import { clipUpdates } from './clipUpdates.js';
import { dpFedAvg } from './dpFedAvg.js';
import { accountantFromLedger, storePrivacyLedger } from './ledger.js';

const specs: LinearPlantSpec[] = [0, 1, 2].map((p) => ({ rows: 50, featureStd: [1, 1], weights: [1, -1 + 0.1 * p], bias: 0.2, noiseStd: 0.05 }));

const options = (initial: Float64Array): FederationOptions => ({
  runId: 'dp-run', rounds: 40, seed: 3, initialParameters: initial,
  training: { epochs: 1, batchSize: 10, learningRate: 0.05, optimizer: 'sgd' },
  minPlants: 3, timeouts: { waitForPlantsMs: 1000, fitMs: 5000, evaluateMs: 5000 }, evaluateEvery: 0,
});

test('training stops cleanly with BUDGET_EXHAUSTED before a round would exceed ε; the checkpoint and the durable ledger agree, and a resumed run stops too', async () => {
  const store = CrucibleStore.open(':memory:');
  const ledger = storePrivacyLedger(store, 'dp-run');
  const strategy = () => dpFedAvg(fedAvg(), { noiseMultiplier: 8, clipping: { kind: 'fixed', clipNorm: 0.5 }, guard: new BudgetGuard({ epsilon: 2, delta: 1e-3 }, ledger), noise: (r) => new Rng(r) });
  const fed = linearFederation(specs, { seed: 1 });
  const rounds: RoundResult[] = [];
  let stopped: unknown;
  try {
    for await (const r of runFederation(fed.grid, strategy(), { ...options(fed.initial), store: new SqliteRoundStore(store) })) rounds.push(r);
  } catch (e) {
    stopped = e;
  }
  assert.ok(isCrucibleError(stopped, 'BUDGET_EXHAUSTED'), String(stopped));
  assert.ok(rounds.length >= 2 && rounds.length < 40, `${rounds.length} rounds ran`);
  assert.equal(store.lastCheckpoint('dp-run')?.round, rounds.length);
  assert.equal(ledger.entries().length, rounds.length);
  const spent = accountantFromLedger(ledger.entries()).epsilon(1e-3);
  assert.ok(spent <= 2, `spent ${spent}`);
  assert.ok(rounds.at(-1)!.fit.aggregated.dpEpsilon <= 2);

  // Restarting the coordinator does not reset the budget: the ledger is in the store.
  await assert.rejects(async () => {
    for await (const _ of runFederation(fed.grid, strategy(), { ...options(fed.initial), store: new SqliteRoundStore(store) })) assert.fail('no round should run');
  }, (e) => isCrucibleError(e, 'BUDGET_EXHAUSTED'));
  assert.equal(ledger.entries().length, rounds.length);
  store.close?.();
});

test('DP-FedAvg composes with SecAgg: plants clip before masking and the coordinator noises only the sum', async () => {
  const fed = linearFederation(specs, { seed: 1, middleware: (id) => [secureAggregationPlant({ entropy: seededEntropy(id) }), clipUpdates({ clipNorm: 0.5 })] });
  const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: 0.5, clipping: { kind: 'adaptive', initialClipNorm: 0.01, countNoiseStdDev: 0.5 }, noise: (r) => new Rng(r) });
  const collectFit = secureFitCollector({ clipRange: 1, entropy: seededEntropy('c') });
  let last: RoundResult | undefined;
  for await (const r of runFederation(fed.grid, strategy, { ...options(fed.initial), rounds: 3, collectFit })) last = r;
  assert.ok(last !== undefined);
  // The plants' updates exceed the tiny initial clip, so the securely counted unclipped fraction is ≈ 0 and the clip grows.
  assert.ok(last.fit.aggregated.dpUnclippedFraction < 0.5);
  assert.ok(last.fit.aggregated.dpClipNorm > 0.01);
  assert.equal(last.fit.perPlant['plant-0'].secureAggregate, 1);
});
