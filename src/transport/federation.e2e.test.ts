import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeSimulatedPlants } from '../data/simulate.js';
import { readStatus } from '../store/status.js';
import { CrucibleStore } from '../store/store.js';
import { enrollPlant } from './enrollment.js';
import { loadPlantData } from './plantRuntime.js';
import { freePort, spawnCli, type CliProcess } from './test-support/processes.js';

/**
 * The whole deployment on loopback: `crucible enroll`, a coordinator process with TLS and client
 * certificates, three plant processes on simulated heterogeneous CSTR plants (src/process via
 * `writeSimulatedPlants`). One plant is SIGKILLed mid-round and restarted; the coordinator is
 * SIGKILLed and restarted; the run completes with every round recorded once.
 */
describe('coordinator and three plant processes over TLS on loopback', () => {
  let dir: string;
  const processes: CliProcess[] = [];
  const spawnTracked = (args: string[]): CliProcess => {
    const p = spawnCli(args, { cwd: dir });
    processes.push(p);
    return p;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crucible-e2e-'));
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains, survives a plant and the coordinator being killed, and resumes from the store', async () => {
    const manifest = await writeSimulatedPlants({ process: 'cstr', plants: 3, seed: 5, out: join(dir, 'plants'), samples: 240 });
    const plants = manifest.plants.map((p) => p.id);
    const first = await loadPlantData({ kind: 'csv', file: join(dir, 'plants', manifest.plants[0].data), schema: join(dir, 'plants', manifest.plants[0].schema) });
    const widths = [first.x.cols, 12, first.y.cols];

    // Credentials: the first through the CLI, the others through the library it wraps.
    const enroll = spawnTracked(['enroll', plants[0], '--out', `creds/${plants[0]}`, '--store', 'crucible.db', '--pki', 'pki', '--host', '127.0.0.1']);
    assert.equal(await enroll.exited, 0, enroll.stderr());
    for (const id of plants.slice(1)) enrollPlant(id, { storePath: join(dir, 'crucible.db'), pkiDir: join(dir, 'pki'), outDir: join(dir, 'creds', id) });

    const port = await freePort();
    const rounds = 90;
    writeFileSync(
      join(dir, 'federation.yaml'),
      YAML.stringify({
        runId: 'e2e', listen: { host: '127.0.0.1', port }, store: 'crucible.db',
        tls: { ca: 'pki/ca.pem', cert: 'pki/coordinator.pem', key: 'pki/coordinator-key.pem' },
        model: { widths, activation: 'tanh', seed: 1 }, strategy: { kind: 'fedavg' },
        rounds, seed: 3, minPlants: 2, featureScaling: true, heartbeatIntervalMs: 300,
        training: { epochs: 10, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
        timeouts: { waitForPlantsMs: 30_000, fitMs: 20_000, evaluateMs: 20_000 },
      }),
    );
    for (const p of manifest.plants) {
      writeFileSync(
        join(dir, `${p.id}.yaml`),
        YAML.stringify({
          coordinator: `127.0.0.1:${port}`, token: `creds/${p.id}/token`,
          tls: { ca: `creds/${p.id}/ca.pem`, cert: `creds/${p.id}/plant.pem`, key: `creds/${p.id}/plant-key.pem` },
          model: { widths, activation: 'tanh', seed: 1 },
          // The first plant gets its data from --data/--schema on the command line instead.
          ...(p.id === manifest.plants[0].id ? {} : { data: { kind: 'csv', file: `plants/${p.data}`, schema: `plants/${p.schema}` } }),
          reconnect: { initialMs: 50, maxMs: 300 },
        }),
      );
    }

    // Plants first (they retry until the coordinator listens), so that all three join early.
    const dataFlags = (id: string): string[] => {
      const p = manifest.plants.find((m) => m.id === id)!;
      return id === plants[0] ? ['--data', `plants/${p.data}`, '--schema', `plants/${p.schema}`] : [];
    };
    const plantProcess = (id: string): CliProcess => spawnTracked(['plant', '--config', `${id}.yaml`, ...dataFlags(id), '--json']);
    const running = new Map(plants.map((id) => [id, plantProcess(id)]));
    await Promise.all([...running.values()].map((p) => p.waitFor((l) => l.type === 'started', 30_000)));
    let coordinator = spawnTracked(['coordinator', '--config', 'federation.yaml', '--json']);
    const t0 = Date.now();
    try {

    // Kill the third plant in a round all three started, as soon as it starts: the round completes
    // with the other two. Its fit takes a few milliseconds, so on a busy machine it can still reply
    // before the signal lands (seen once in four full runs); then it counts as a participant, is
    // started again, and the kill is tried in a later round (at most three tries).
    const victim = plants[2];
    let full: Record<string, unknown> = { round: 0 };
    let killedRound: Record<string, unknown> | null = null;
    for (let attempt = 0; attempt < 3 && killedRound === null; attempt++) {
      const after = full.round as number;
      full = await coordinator.waitFor((l) => l.type === 'round-started' && (l.round as number) > after && (l.selected as string[]).length === 3, 40_000);
      running.get(victim)!.child.kill('SIGKILL');
      const round = await coordinator.waitFor((l) => l.type === 'round' && l.round === full.round, 30_000);
      if ((round.participants as string[]).includes(victim)) running.set(victim, plantProcess(victim));
      else killedRound = round;
    }
    assert.ok(killedRound !== null, `the killed plant ${victim} replied in each of three rounds before its SIGKILL landed`);
    assert.deepEqual(killedRound.participants, plants.slice(0, 2));
    assert.ok((killedRound.dropped as { plantId: string; code: string }[]).some((d) => d.plantId === victim && d.code === 'PLANT_DISCONNECTED'), JSON.stringify(killedRound.dropped));

    // The restarted plant process rejoins and contributes again.
    running.set(victim, plantProcess(victim));
    const rejoined = await coordinator.waitFor((l) => l.type === 'round' && (l.participants as string[]).includes(victim) && (l.round as number) > (full.round as number), 40_000);

    // SIGKILL the coordinator in the middle of the next round and restart it on the same store.
    const killAt = (rejoined.round as number) + 1;
    await coordinator.waitFor((l) => l.type === 'round-started' && l.round === killAt, 30_000);
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    coordinator = spawnTracked(['coordinator', '--config', 'federation.yaml', '--json']);
    const resumed = await coordinator.waitFor((l) => l.type === 'resumed', 30_000);
    assert.equal(resumed.fromRound, killAt);
    await coordinator.waitFor((l) => l.type === 'completed', 60_000);
    assert.equal(await coordinator.exited, 0, coordinator.stderr());

    const store = CrucibleStore.open(join(dir, 'crucible.db'));
    try {
      const recorded = store.rounds('e2e');
      assert.deepEqual(recorded.map((r) => r.round), Array.from({ length: rounds }, (_, i) => i + 1));
      assert.deepEqual(recorded[rounds - 1].participants, [...plants].sort());
      const r2 = recorded.map((r) => (r.summary.evaluation as { r2: number }).r2);
      // The federation learns. The evaluated plant set changes with the kill and the rejoin (and plain
      // FedAvg drifts when the heterogeneous plant returns), so compare the best round with the first;
      // model quality per strategy is tested in src/federation.
      assert.ok(Math.max(...r2) > r2[0] + 0.05, `R² did not improve: ${r2.map((v) => v.toFixed(3)).join(', ')}`);
      const status = readStatus(store, { runId: 'e2e' });
      assert.equal(status.run?.status, 'completed');
      assert.equal(status.roundsDone, rounds);
      assert.deepEqual(status.plants.filter((p) => p.connected).map((p) => p.id), [...plants].sort());
    } finally {
      store.close();
    }
    const status = spawnTracked(['status', '--store', 'crucible.db']);
    assert.equal(await status.exited, 0, status.stderr());
    assert.ok(status.lines.some((l) => typeof l.text === 'string' && l.text.includes(`${rounds}/${rounds} rounds done`)), JSON.stringify(status.lines));
    for (const p of running.values()) p.child.kill('SIGTERM');
    } catch (e) {
      // Say what the coordinator saw: the plant's view alone rarely explains a failure.
      (e as Error).message += `\ncoordinator stderr:\n${coordinator.stderr()}\ncoordinator lines:\n${coordinator.lines.slice(0, 12).map((l) => `${(l.seenAtMs as number) - t0} ${JSON.stringify(l)}`).join('\n')}`;
      for (const [id, p] of running) (e as Error).message += `\n${id}: ${p.stderr()}\n${p.lines.filter((l) => l.type !== 'disconnected' || (l.seenAtMs as number) > t0 + 1000).slice(0, 10).map((l) => `${(l.seenAtMs as number) - t0} ${JSON.stringify(l)}`).join('\n')}`;
      throw e;
    }
  });
});
