import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { FeatureScaling } from '../federation/feature-scaling.js';
import type { RoundResult } from '../federation/round-result.js';
import { isCrucibleError } from '../errors.js';
import { CrucibleStore } from '../store/store.js';
import { coordinatorConfigSchema, parseConfig, plantConfigSchema } from './config.js';
import { startCoordinator } from './coordinatorRuntime.js';
import { startPlant, type RunningPlant } from './plantRuntime.js';
import { enrolledStore } from './test-support/enrolledStore.js';
import { freePort, spawnCli, type CliProcess } from './test-support/processes.js';

/**
 * Secure aggregation switched on in federation.yaml, over the deployment path: a coordinator process
 * and three plant processes (each `secureAggregation.required`, so none would answer in the clear).
 * The reference is the same federation with secure aggregation off, run in this process over gRPC
 * loopback: the two global models must agree to quantization error.
 */
const plantIds = ['plant-a', 'plant-b', 'plant-c'];
const widths = [2, 6, 1];
const rounds = 3;
const dataOf: Record<string, object> = {
  'plant-a': { kind: 'synthetic', seed: 1, rows: 120, weights: [1.5, -1], featureStd: [2, 0.5], featureMean: [1, 0], bias: 0.3, noiseStd: 0.05 },
  'plant-b': { kind: 'synthetic', seed: 2, rows: 90, weights: [1.3, -0.8], featureStd: [0.5, 2], noiseStd: 0.05 },
  'plant-c': { kind: 'synthetic', seed: 3, rows: 150, weights: [1.6, -1.1], featureStd: [1, 1], featureMean: [-1, 2], bias: -0.2, noiseStd: 0.05 },
};

function federationConfig(port: number, secure: boolean): Record<string, unknown> {
  return {
    runId: 'secure', listen: { host: '127.0.0.1', port }, store: 'crucible.db', tls: 'insecure',
    model: { kind: 'neural', widths, activation: 'tanh', seed: 3 },
    strategy: { kind: 'fedavg' }, rounds, seed: 21, minPlants: 3, featureScaling: true, heartbeatIntervalMs: 300,
    training: { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
    timeouts: { waitForPlantsMs: 30_000, fitMs: 30_000, evaluateMs: 30_000 },
    // The default statistics ranges (up to 1e9): the second, per-coordinate sum makes them fine.
    secureAggregation: { enabled: secure, threshold: 0.6, updateClipRange: 4, exampleCap: 1000 },
  };
}

function plantConfig(id: string, port: number, required: boolean): Record<string, unknown> {
  return {
    coordinator: `127.0.0.1:${port}`, token: `${id}.token`, tls: 'insecure', model: { widths, activation: 'tanh', seed: 3 },
    data: dataOf[id], splitSeed: 4, reconnect: { initialMs: 50, maxMs: 300 }, secureAggregation: { required },
  };
}

/** Enrols the plants in a fresh store in `dir` and writes their token files. */
const enrol = (dir: string): void => enrolledStore(dir, plantIds);

/** The same federation with secure aggregation off, in this process over gRPC loopback. */
async function plaintextReference(dir: string): Promise<{ last: RoundResult; scaling: FeatureScaling }> {
  enrol(dir);
  const configPath = join(dir, 'federation.yaml');
  const coordinator = await startCoordinator(parseConfig(federationConfig(0, false), coordinatorConfigSchema, configPath), { configPath });
  const abort = new AbortController();
  const plants: RunningPlant[] = [];
  try {
    for (const id of plantIds) {
      const path = join(dir, `${id}.yaml`);
      plants.push(await startPlant(parseConfig(plantConfig(id, coordinator.port, false), plantConfigSchema, path), { configPath: path, signal: abort.signal }));
    }
    let last: RoundResult | undefined;
    for await (const r of coordinator.rounds) last = r;
    const saved = coordinator.store.lastCheckpoint('secure')!.strategyState as { scaling: FeatureScaling };
    return { last: last!, scaling: saved.scaling };
  } finally {
    abort.abort();
    await Promise.all(plants.map((p) => p.connection.closed));
    await coordinator.close();
  }
}

describe('secure aggregation switched on in federation.yaml, coordinator and three plant processes', () => {
  let dir: string;
  let referenceDir: string;
  const processes: CliProcess[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crucible-secagg-e2e-'));
    referenceDir = mkdtempSync(join(tmpdir(), 'crucible-secagg-ref-'));
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
    rmSync(referenceDir, { recursive: true, force: true });
  });

  it('trains over gRPC with masked updates only, to the plaintext model within quantization error', async (t) => {
    enrol(dir);
    const port = await freePort();
    writeFileSync(join(dir, 'federation.yaml'), YAML.stringify(federationConfig(port, true)));
    for (const id of plantIds) writeFileSync(join(dir, `${id}.yaml`), YAML.stringify(plantConfig(id, port, true)));
    const spawn = (args: string[]): CliProcess => {
      const p = spawnCli(args, { cwd: dir });
      processes.push(p);
      return p;
    };
    const plants = plantIds.map((id) => spawn(['plant', '--config', `${id}.yaml`, '--json']));
    const coordinator = spawn(['coordinator', '--config', 'federation.yaml', '--json']);
    const reference = await plaintextReference(referenceDir);
    try {
      const listening = await coordinator.waitFor((l) => l.type === 'listening', 30_000);
      assert.equal(listening.secureAggregation, true);
      await coordinator.waitFor((l) => l.type === 'completed', 60_000);
      assert.equal(await coordinator.exited, 0, coordinator.stderr());
      const roundLines = coordinator.lines.filter((l) => l.type === 'round');
      assert.equal(roundLines.length, rounds);
      for (const l of roundLines) {
        assert.equal(l.secureAggregation, true, JSON.stringify(l));
        assert.deepEqual(l.participants, plantIds);
      }
      // Every plant answered the four SecAgg stages of each fit round and of feature scaling.
      for (const p of plants) {
        const kinds = new Set(p.lines.filter((l) => l.type === 'task-received').map((l) => l.kind));
        for (const k of ['secagg.advertise', 'secagg.share', 'secagg.mask', 'secagg.unmask']) assert.ok(kinds.has(k), `${k} not seen in ${[...kinds].join(', ')}`);
        assert.ok(!kinds.has('fit') && !kinds.has('statistics'), `a bare fit or statistics task reached a plant: ${[...kinds].join(', ')}`);
      }

      const store = CrucibleStore.open(join(dir, 'crucible.db'));
      try {
        const checkpoint = store.lastCheckpoint('secure')!;
        assert.equal(checkpoint.round, rounds);
        const scaling = (checkpoint.strategyState as { scaling: FeatureScaling }).scaling;
        for (const key of ['featureMean', 'featureStd', 'targetMean', 'targetStd'] as const) {
          Array.from(scaling[key]).forEach((v, i) => assert.ok(Math.abs(v - reference.scaling[key][i]) < 1e-7 * (1 + Math.abs(v)), `${key}[${i}]: ${v} vs ${reference.scaling[key][i]}`));
        }
        const gap = Math.max(...Array.from(checkpoint.globalParameters, (v, i) => Math.abs(v - reference.last.globalParameters[i])));
        assert.ok(gap < 1e-5, `the secure and plaintext global models differ by ${gap}`);
        const r2 = store.rounds('secure').map((r) => (r.summary.evaluation as { r2: number }).r2);
        t.diagnostic(`max |secure − plaintext| parameter ${gap.toExponential(2)}; R² per round ${r2.map((v) => v.toFixed(4)).join(', ')} (plaintext ${reference.last.evaluation!.weighted.r2.toFixed(4)})`);
        assert.ok(Math.abs(r2[rounds - 1] - reference.last.evaluation!.weighted.r2) < 1e-5, `R² ${r2[rounds - 1]} vs plaintext ${reference.last.evaluation!.weighted.r2}`);
        assert.ok(r2[rounds - 1] > r2[0], `R² did not improve: ${r2.join(', ')}`);
      } finally {
        store.close();
      }
    } catch (e) {
      (e as Error).message += `\ncoordinator stderr:\n${coordinator.stderr()}\n${coordinator.lines.slice(0, 12).map((l) => JSON.stringify(l)).join('\n')}`;
      throw e;
    } finally {
      for (const p of plants) p.child.kill('SIGTERM');
    }
  });

  it('plants that require secure aggregation refuse a coordinator asking in the clear', async () => {
    const plainDir = mkdtempSync(join(tmpdir(), 'crucible-secagg-plain-'));
    enrol(plainDir);
    const configPath = join(plainDir, 'federation.yaml');
    const config = { ...federationConfig(0, false), timeouts: { waitForPlantsMs: 10_000, fitMs: 5000, evaluateMs: 5000 } };
    const coordinator = await startCoordinator(parseConfig(config, coordinatorConfigSchema, configPath), { configPath });
    const abort = new AbortController();
    const plants: RunningPlant[] = [];
    try {
      for (const id of plantIds) {
        const path = join(plainDir, `${id}.yaml`);
        plants.push(await startPlant(parseConfig(plantConfig(id, coordinator.port, true), plantConfigSchema, path), { configPath: path, signal: abort.signal }));
      }
      await assert.rejects(
        (async () => {
          for await (const r of coordinator.rounds) assert.fail(`round ${r.round} completed in the clear`);
        })(),
        (e) => isCrucibleError(e, 'QUORUM_NOT_REACHED') && /feature scaling: 0 of 3/.test(e.message),
      );
    } finally {
      abort.abort();
      await Promise.all(plants.map((p) => p.connection.closed));
      await coordinator.close();
      rmSync(plainDir, { recursive: true, force: true });
    }
  });
});
