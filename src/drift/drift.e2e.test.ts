import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { PlantMiddleware } from '../federation/plant.js';
import type { ReplyOk, TaskMessage } from '../federation/messages.js';
import { predict } from '../nn/fit.js';
import { Mlp } from '../nn/mlp.js';
import { SqliteRoundStore } from '../store/roundStore.js';
import { CrucibleStore } from '../store/store.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { coordinatorConfigSchema, parseConfig, plantConfigSchema } from '../transport/config.js';
import { startCoordinator } from '../transport/coordinatorRuntime.js';
import { issuePlantToken } from '../transport/credentials.js';
import { startPlant, type RunningPlant } from '../transport/plantRuntime.js';
import type { DriftWatchEvent } from './watch.js';

/**
 * Drift over the real protocol: a coordinator and three plants on gRPC loopback (`startCoordinator`
 * and `startPlant`, what `crucible coordinator` and `crucible plant` run). Each plant's historian
 * file is both its training data and its incoming stream. After the first run, the files grow:
 * plant-a's process stays as it was, plant-b's and plant-c's gain on x1 falls to 80 % (a catalyst
 * losing activity). The plants report drift as flags and scores; the coordinator starts a
 * retraining run from the deployed model because two plants drift; the plants retrain on their
 * grown files and reset their monitors.
 */
const plantIds = ['plant-a', 'plant-b', 'plant-c'];
const drifting = new Set(['plant-b', 'plant-c']);
const firstRows = 200;
const newRows = 400;
const widths = [2, 1];

/** y = g·1.5·x1 − 0.8·x2 + 0.3 + noise, with gain g = 1 before the change and 0.8 after it at drifting plants. */
function rows(id: string, from: number, count: number, rng: Rng): string[] {
  return Array.from({ length: count }, (_, k) => {
    const x1 = rng.normal(0, 1);
    const x2 = rng.normal(0, 1);
    const gain = drifting.has(id) && from + k >= firstRows ? 0.8 : 1;
    return [x1, x2, gain * 1.5 * x1 - 0.8 * x2 + 0.3 + rng.normal(0, 0.05)].map((v) => v.toPrecision(10)).join(',');
  });
}

describe('drift reported by plants over gRPC starts a retraining run from the deployed model', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crucible-drift-e2e-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('flags the two changed plants within a few samples, stays quiet at the unchanged one, retrains and resets', async () => {
    const rngs = new Map(plantIds.map((id, i) => [id, new Rng(90 + i)]));
    const store = CrucibleStore.open(join(dir, 'crucible.db'));
    for (const id of plantIds) {
      writeFileSync(join(dir, `${id}.csv`), `x1,x2,y\n${rows(id, 0, firstRows, rngs.get(id)!).join('\n')}\n`);
      writeFileSync(join(dir, `${id}.schema.yaml`), YAML.stringify({ samplingInterval: 60, inputs: [{ name: 'x1', unit: '1' }, { name: 'x2', unit: '1' }], outputs: [{ name: 'y', unit: '1' }] }));
      const { token, tokenHash } = issuePlantToken(id);
      store.plants.enroll(id, { tokenHash });
      writeFileSync(join(dir, `${id}.token`), token);
    }
    store.close();
    const configPath = join(dir, 'federation.yaml');
    const coordinator = await startCoordinator(parseConfig({
      runId: 'line', store: 'crucible.db', tls: 'insecure', model: { kind: 'neural', widths, seed: 1 },
      strategy: { kind: 'fedavg' }, rounds: 6, seed: 2, minPlants: 3, featureScaling: true, heartbeatIntervalMs: 300,
      training: { epochs: 5, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
      timeouts: { waitForPlantsMs: 20_000, fitMs: 10_000, evaluateMs: 10_000 },
      drift: { checkEveryMs: 20, minDriftingPlants: 2, retrainRounds: 6, maxRetrainings: 1, maxChecks: 3 },
    }, coordinatorConfigSchema, configPath), { configPath, port: 0 });

    // Each plant records the drift replies it sends and the first fit task of every run it trains in.
    const driftReplies = new Map<string, ReplyOk[]>(plantIds.map((id) => [id, []]));
    const firstFits = new Map<string, TaskMessage>();
    const recorder = (id: string): PlantMiddleware => (next) => async (task) => {
      const reply = await next(task);
      if (task.kind === 'drift' && reply.ok) driftReplies.get(id)!.push(reply);
      if (task.kind === 'fit' && task.round === 1 && !firstFits.has(`${id}/${task.runId}`)) firstFits.set(`${id}/${task.runId}`, task);
      return reply;
    };
    const abort = new AbortController();
    const plants: RunningPlant[] = [];
    try {
      for (const id of plantIds) {
        const path = join(dir, `${id}.yaml`);
        const config = {
          coordinator: `127.0.0.1:${coordinator.port}`, token: `${id}.token`, tls: 'insecure', model: { kind: 'neural', widths, seed: 1 },
          data: { kind: 'csv', file: `${id}.csv`, schema: `${id}.schema.yaml` }, splitSeed: 1, reconnect: { initialMs: 50, maxMs: 300 },
          drift: { incoming: { kind: 'csv', file: `${id}.csv`, schema: `${id}.schema.yaml` }, detector: { kind: 'page-hinkley', delta: 0.01, lambda: 0.5 }, windowSize: 100 },
        };
        plants.push(await startPlant(parseConfig(config, plantConfigSchema, path), { configPath: path, signal: abort.signal, middleware: [recorder(id)] }));
      }
      for await (const _ of coordinator.rounds) { /* the first run */ }
      const deployed = coordinator.store.lastCheckpoint('line')!.globalParameters;

      // The historians grow: the process changed at plant-b and plant-c.
      for (const id of plantIds) appendFileSync(join(dir, `${id}.csv`), `${rows(id, firstRows, newRows, rngs.get(id)!).join('\n')}\n`);
      const events: DriftWatchEvent[] = [];
      for await (const e of coordinator.drift!) events.push(e);

      const checks = events.filter((e) => e.type === 'drift-check');
      assert.equal(checks.length, 3);
      const first = checks[0];
      console.log(`  drift check 1: ${first.reports.map((r) => `${r.plantId} drift=${r.drift} score=${r.score.toFixed(2)} samples=${r.samples}`).join('; ')}; ${first.decision.reason}`);
      assert.deepEqual(first.decision.drifting, ['plant-b', 'plant-c']);
      assert.ok(first.decision.retrain);
      // Detection delay: samples after the change (row 200) at which Page–Hinkley fired; the plant
      // without change raised no alarm over its 600 samples.
      const delays = plantIds.map((id) => driftReplies.get(id)![0].metrics.driftedAtSample - firstRows);
      console.log(`  residual alarm ${plantIds.map((id, i) => `${id}: ${drifting.has(id) ? `${delays[i]} samples after the change` : (driftReplies.get(id)![0].metrics.driftedAtSample < 0 ? 'none (no false alarm in 600 samples)' : `FALSE ALARM at ${delays[i] + firstRows}`)}`).join(', ')}`);
      for (const id of drifting) {
        const at = driftReplies.get(id)![0].metrics.driftedAtSample - firstRows;
        assert.ok(at > 0 && at <= 40, `${id} detected ${at} samples after the change`);
      }
      assert.equal(driftReplies.get('plant-a')![0].metrics.driftedAtSample, -1);
      // Flags and scores only: the reply's one array is the per-feature p-values.
      for (const replies of driftReplies.values()) {
        for (const r of replies) {
          assert.deepEqual(Object.keys(r.arrays), ['featurePValues']);
          assert.equal(r.arrays.featurePValues!.length, 2);
        }
      }

      // The retraining run started from the deployed model, and the plants trained on their grown files.
      const started = events.find((e) => e.type === 'retraining-started');
      assert.ok(started?.type === 'retraining-started' && started.runId === 'line.retrain-1');
      for (const id of plantIds) {
        const fit = firstFits.get(`${id}/line.retrain-1`)!;
        assert.deepEqual(Array.from(fit.arrays.parameters!), Array.from(deployed), `${id}: retraining did not start from the deployed model`);
      }
      const retrainRounds = events.filter((e) => e.type === 'retraining-round');
      assert.equal(retrainRounds.length, 6);
      assert.ok(events.some((e) => e.type === 'retraining-completed'));
      // After the reset, no new rows: the later checks report no drift.
      for (const c of checks.slice(1)) assert.deepEqual(c.decision.drifting, [], JSON.stringify(c.reports));
      assert.equal(coordinator.store.run('line.retrain-1')?.status, 'completed');

      // The retrained model predicts the changed plants' new rows better than the deployed one.
      const retrained = new SqliteRoundStore(coordinator.store).loadLatest('line.retrain-1')!;
      const scaling = new SqliteRoundStore(coordinator.store).loadLatest('line')!.scaling!;
      assert.deepEqual(retrained.scaling, scaling, 'the retraining keeps the deployed model\'s feature scaling');
      const rng = new Rng(7);
      const fresh = rows('plant-b', firstRows, 300, rng).map((l) => l.split(',').map(Number));
      const rmse = (parameters: Float64Array): number => {
        const m = new Mlp({ widths });
        m.parameters.set(parameters);
        const x = new Tensor(fresh.length, 2, Float64Array.from(fresh.flatMap(([a, b]) => [(a - scaling.featureMean[0]) / scaling.featureStd[0], (b - scaling.featureMean[1]) / scaling.featureStd[1]])));
        const p = predict(m, x).data;
        return Math.sqrt(fresh.reduce((s, r, i) => s + (p[i] * scaling.targetStd[0] + scaling.targetMean[0] - r[2]) ** 2, 0) / fresh.length);
      };
      const [before, after] = [rmse(deployed), rmse(retrained.parameters)];
      console.log(`  plant-b new-regime RMSE: deployed model ${before.toFixed(3)}, after retraining ${after.toFixed(3)} (noise 0.05)`);
      assert.ok(after < 0.6 * before, `retraining did not help: ${after} vs ${before}`);
    } finally {
      abort.abort();
      await Promise.all(plants.map((p) => p.connection.closed));
      await coordinator.close();
    }
  });
});
