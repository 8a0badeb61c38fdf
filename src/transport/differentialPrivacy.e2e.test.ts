import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCrucibleError } from '../errors.js';
import type { RoundResult } from '../federation/round-result.js';
import { accountantFromLedger, storePrivacyLedger } from '../privacy/dp/ledger.js';
import { CrucibleStore } from '../store/store.js';
import { coordinatorConfigSchema, parseConfig, plantConfigSchema } from './config.js';
import { startCoordinator } from './coordinatorRuntime.js';
import { startPlant, type RunningPlant } from './plantRuntime.js';
import { enrolledStore } from './test-support/enrolledStore.js';

/**
 * Differential privacy switched on in federation.yaml, over the deployment path (coordinator and
 * plants over gRPC loopback, in this process): the privacy ledger is the run's store, the budget
 * stops the run before a round would exceed it, and a restarted coordinator does not run again.
 */
const plantIds = ['plant-a', 'plant-b', 'plant-c'];
const widths = [2, 4, 1];

function federation(runId: string, differentialPrivacy: object, secure: boolean): Record<string, unknown> {
  return {
    runId, listen: { host: '127.0.0.1', port: 0 }, store: 'crucible.db', tls: 'insecure',
    model: { kind: 'neural', widths, activation: 'tanh', seed: 3 },
    strategy: { kind: 'fedavg' }, rounds: 10, seed: 5, minPlants: 3, featureScaling: false, heartbeatIntervalMs: 300,
    training: { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
    timeouts: { waitForPlantsMs: 20_000, fitMs: 20_000, evaluateMs: 20_000 },
    secureAggregation: { enabled: secure, updateClipRange: 2 },
    differentialPrivacy,
  };
}

function plant(id: string, port: number): Record<string, unknown> {
  const seed = plantIds.indexOf(id) + 1;
  return {
    coordinator: `127.0.0.1:${port}`, token: `${id}.token`, tls: 'insecure', model: { widths, activation: 'tanh', seed: 3 },
    data: { kind: 'synthetic', seed, rows: 60, weights: [1, -0.5 * seed], featureStd: [1, 1], noiseStd: 0.05 },
    reconnect: { initialMs: 50, maxMs: 300 }, secureAggregation: { required: false },
  };
}

/** Runs the coordinator of `config` with the three plants until it stops; returns the rounds and how it stopped. */
async function run(dir: string, config: Record<string, unknown>): Promise<{ rounds: RoundResult[]; stopped: unknown }> {
  const configPath = join(dir, 'federation.yaml');
  const coordinator = await startCoordinator(parseConfig(config, coordinatorConfigSchema, configPath), { configPath });
  const abort = new AbortController();
  const plants: RunningPlant[] = [];
  const rounds: RoundResult[] = [];
  let stopped: unknown;
  try {
    for (const id of plantIds) {
      const path = join(dir, `${id}.yaml`);
      plants.push(await startPlant(parseConfig(plant(id, coordinator.port), plantConfigSchema, path), { configPath: path, signal: abort.signal }));
    }
    for await (const r of coordinator.rounds) rounds.push(r);
  } catch (e) {
    stopped = e;
  } finally {
    abort.abort();
    await Promise.all(plants.map((p) => p.connection.closed));
    await coordinator.close();
  }
  return { rounds, stopped };
}

function enrolled(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-dp-e2e-'));
  enrolledStore(dir, plantIds);
  return dir;
}

test('DP-FedAvg from federation.yaml over gRPC with SecAgg+: the budget stops the run, checkpointed and in the durable ledger, and a restart runs nothing', async () => {
  const dir = enrolled();
  try {
    // z = 2 at δ = 1e-5: ε after 3 rounds ≈ 4.01, after 4 ≈ 4.75.
    const dp = { kind: 'central', noiseMultiplier: 2, clipping: { kind: 'fixed', clipNorm: 0.5 }, budget: { epsilon: 4.5, delta: 1e-5 } };
    const config = federation('dp-central', dp, true);
    const first = await run(dir, config);
    assert.ok(isCrucibleError(first.stopped, 'BUDGET_EXHAUSTED'), String(first.stopped));
    assert.match((first.stopped as Error).message, /round 4 not run/);
    assert.equal(first.rounds.length, 3);
    assert.ok(first.rounds.every((r) => r.fit.perPlant['plant-a']?.secureAggregate === 1), 'rounds were not securely aggregated');
    // The plants clipped before masking (dpFromTask): the securely summed unclipped bits arrived.
    for (const r of first.rounds) assert.ok(r.fit.aggregated.dpUnclippedFraction >= 0 && r.fit.aggregated.dpUnclippedFraction <= 1, JSON.stringify(r.fit.aggregated));
    const store = CrucibleStore.open(join(dir, 'crucible.db'));
    try {
      assert.equal(store.lastCheckpoint('dp-central')?.round, 3);
      assert.equal(store.run('dp-central')?.status, 'completed');
      const entries = storePrivacyLedger(store, 'dp-central').entries();
      assert.deepEqual(entries.map((e) => e.round), [1, 2, 3]);
      const spent = accountantFromLedger(entries).epsilon(1e-5);
      assert.ok(spent <= 4.5 && spent > 3.9, `spent ${spent}`);
      assert.ok(Math.abs(first.rounds[2].fit.aggregated.dpEpsilon - spent) < 1e-9);
    } finally {
      store.close();
    }
    const again = await run(dir, config);
    assert.ok(isCrucibleError(again.stopped, 'BUDGET_EXHAUSTED'), String(again.stopped));
    assert.equal(again.rounds.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('distributed DP from federation.yaml: plants noise their updates under SecAgg, the ledger counts the guaranteed plants, the budget stops the run', async () => {
  const dir = enrolled();
  try {
    // σ = 2000 grid units of 2^-12 per plant, 3 plants counted: ε ≈ 5.76 after one round, 8.67 after two.
    const dp = { kind: 'distributed', clipNorm: 1, granularity: 2 ** -12, localNoiseStdDev: 2000, minimumPlants: 3, budget: { epsilon: 10, delta: 1e-5 } };
    assert.throws(() => parseConfig(federation('dp-off', dp, false), coordinatorConfigSchema, 'federation.yaml'), /secureAggregation\.enabled: true/);
    const { rounds, stopped } = await run(dir, federation('dp-distributed', dp, true));
    assert.ok(isCrucibleError(stopped, 'BUDGET_EXHAUSTED'), String(stopped));
    assert.equal(rounds.length, 2);
    const store = CrucibleStore.open(join(dir, 'crucible.db'));
    try {
      const entries = storePrivacyLedger(store, 'dp-distributed').entries();
      assert.deepEqual(entries.map((e) => [e.round, e.label]), [[1, 'distributed-dp'], [2, 'distributed-dp']]);
      assert.ok(Math.abs(accountantFromLedger(entries).epsilon(1e-5) - rounds[1].fit.aggregated.dpEpsilon) < 1e-9);
    } finally {
      store.close();
    }
    // The noise is in the model: mean noise per coordinate ≈ √3·2000·2^-12 / 3 ≈ 0.28, far above a round's training step.
    const step = Math.max(...Array.from(rounds[1].globalParameters, (v, i) => Math.abs(v - rounds[0].globalParameters[i])));
    assert.ok(step > 0.05, `the global model moved by at most ${step} in round 2`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
