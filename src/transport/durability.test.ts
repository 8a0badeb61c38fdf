import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { createPlant } from '../federation/plant.js';
import { linearPlants } from '../federation/synthetic.js';
import { Mlp } from '../nn/mlp.js';
import { CrucibleStore } from '../store/store.js';
import { issuePlantToken } from './credentials.js';
import { connectPlant, type PlantConnection } from './plantConnection.js';
import { freePort, spawnCli, type CliProcess } from './test-support/processes.js';

const plantIds = ['plant-a', 'plant-b', 'plant-c'];
const widths = [2, 8, 1];
const rounds = 6;
const data = linearPlants(
  [
    { rows: 120, featureStd: [2, 0.5], featureMean: [1, 0], weights: [1.5, -1], bias: 0.3, noiseStd: 0.05 },
    { rows: 90, featureStd: [0.5, 2], weights: [0.5, 1], noiseStd: 0.05 },
    { rows: 150, featureStd: [1, 1], featureMean: [-1, 2], weights: [-1, 0.5], bias: -0.2, noiseStd: 0.05 },
  ],
  { seed: 11 },
);

/** Writes a store with the three plants enrolled and a federation.yaml for it; returns the config path. */
function prepare(dir: string, port: number, tokens: Map<string, string>): string {
  const store = CrucibleStore.open(join(dir, 'crucible.db'));
  for (const id of plantIds) {
    const { token, tokenHash } = issuePlantToken(id);
    store.plants.enroll(id, { tokenHash });
    tokens.set(id, token);
  }
  store.close();
  const config = {
    runId: 'durable', listen: { host: '127.0.0.1', port }, store: 'crucible.db', tls: 'insecure',
    model: { widths, activation: 'tanh', seed: 3 },
    // FedAdam: the server-optimizer moments must survive the restart for the models to match.
    strategy: { kind: 'fedadam', serverLearningRate: 0.05 },
    rounds, seed: 21, minPlants: 3, featureScaling: true, heartbeatIntervalMs: 300,
    training: { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
    timeouts: { waitForPlantsMs: 30_000, fitMs: 20_000, evaluateMs: 20_000 },
  };
  const path = join(dir, 'federation.yaml');
  writeFileSync(path, YAML.stringify(config));
  return path;
}

/** The three plants, in this process, reconnecting on their own; each fit takes ≥ 80 ms so a kill lands mid-round. */
function connectPlants(port: number, tokens: Map<string, string>): PlantConnection[] {
  return plantIds.map((id, i) => {
    const plant = createPlant({ plantId: id, data: data[i], model: () => new Mlp({ widths, seed: 3 }), splitSeed: i });
    return connectPlant(
      async (task) => {
        if (task.kind === 'fit') await new Promise((r) => setTimeout(r, 80));
        return plant.handle(task);
      },
      { address: `127.0.0.1:${port}`, token: tokens.get(id)!, security: { kind: 'insecure' }, initialBackoffMs: 50, maxBackoffMs: 300 },
    );
  });
}

function finalParameters(dir: string): { round: number; bytes: Buffer } {
  const store = CrucibleStore.open(join(dir, 'crucible.db'));
  try {
    const c = store.lastCheckpoint('durable');
    assert.ok(c !== undefined, 'no checkpoint');
    return { round: c.round, bytes: Buffer.from(c.globalParameters.buffer, c.globalParameters.byteOffset, c.globalParameters.byteLength) };
  } finally {
    store.close();
  }
}

describe('a coordinator killed with SIGKILL mid-run', () => {
  const dirs: string[] = [];
  const connections: PlantConnection[] = [];
  const processes: CliProcess[] = [];
  const start = (config: string): CliProcess => {
    const p = spawnCli(['coordinator', '--config', config, '--json']);
    processes.push(p);
    return p;
  };

  before(() => {
    for (let i = 0; i < 2; i++) dirs.push(mkdtempSync(join(tmpdir(), 'crucible-durable-')));
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(connections.map((c) => c.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('resumes from its last completed round and ends with the bitwise-same model as an uninterrupted run', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const tokensA = new Map<string, string>();
    const tokensB = new Map<string, string>();
    const configA = prepare(dirs[0], portA, tokensA);
    const configB = prepare(dirs[1], portB, tokensB);

    // Both runs at once: A uninterrupted, B killed during round 4 and restarted.
    const a = start(configA);
    let b = start(configB);
    connections.push(...connectPlants(portA, tokensA), ...connectPlants(portB, tokensB));

    await b.waitFor((l) => l.type === 'round-started' && l.round === 4, 40_000);
    b.child.kill('SIGKILL');
    assert.equal(await b.exited, 'SIGKILL');
    const interrupted = finalParameters(dirs[1]);
    assert.equal(interrupted.round, 3, 'the store holds exactly the rounds completed before the kill');

    b = start(configB);
    const resumed = await b.waitFor((l) => l.type === 'resumed', 20_000);
    assert.equal(resumed.fromRound, 4);
    await b.waitFor((l) => l.type === 'completed', 40_000);
    await a.waitFor((l) => l.type === 'completed', 40_000);
    assert.equal(await a.exited, 0, a.stderr());
    assert.equal(await b.exited, 0, b.stderr());

    const reference = finalParameters(dirs[0]);
    const recovered = finalParameters(dirs[1]);
    assert.equal(reference.round, rounds);
    assert.equal(recovered.round, rounds);
    assert.ok(reference.bytes.equals(recovered.bytes), 'final parameters differ between the uninterrupted and the resumed run');

    // Every round is recorded exactly once, and the model learned something.
    const store = CrucibleStore.open(join(dirs[1], 'crucible.db'));
    const summary = store.rounds('durable');
    store.close();
    if (process.env.CRUCIBLE_DEBUG === '1') console.log(summary.map((r) => [r.round, r.completedAt, r.summary.durationMs]), a.lines.slice(0, 3));
    assert.deepEqual(summary.map((r) => r.round), [1, 2, 3, 4, 5, 6]);
    const rmse = summary.map((r) => (r.summary.evaluation as { rmse: number }).rmse);
    assert.ok(rmse[5] < rmse[0], `rmse did not fall: ${rmse.join(', ')}`);
  });
});
