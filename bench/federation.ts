/**
 * `npm run bench -- federation`: wall time and bytes per federated round for 3, 10 and 100 plants
 * with a ~103k-parameter MLP, over real gRPC on 127.0.0.1 (plaintext HTTP/2; TLS adds handshake and
 * encryption cost not measured here), and the coordinator's peak memory.
 *
 * Set-up: this process is the coordinator (GrpcGrid + runFederation + FedAvg + SQLite checkpoints
 * in a temp file); all plants of a case run as gRPC clients — one channel each — in ONE separate child
 * process (bench/support/federation-plants.ts), so RSS and heap below are the coordinator's alone.
 * Plants answer with a synthetic update instead of training, so the time is transport, decoding,
 * validation, aggregation and the checkpoint write. No evaluation stage.
 *
 * Bytes are protobuf payload sizes (tasks down + results up), without HTTP/2 framing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFederation } from '../src/federation/run.js';
import { fedAvg } from '../src/federation/strategies/index.js';
import { Mlp } from '../src/nn/mlp.js';
import { SqliteRoundStore } from '../src/store/roundStore.js';
import { CrucibleStore } from '../src/store/store.js';
import { issuePlantToken, registryAuthenticator } from '../src/transport/credentials.js';
import { GrpcGrid } from '../src/transport/grpcGrid.js';
import { crucibleService } from '../src/transport/service.js';
import { encodeResult, encodeTask } from '../src/transport/wire.js';

const plantCounts = [3, 10, 100];
const rounds = 4;
const widths = [16, 256, 256, 128, 1];

interface Row {
  plants: number;
  msPerRound: number;
  mbDownPerRound: number;
  mbUpPerRound: number;
  peakRssMb: number;
  peakHeapMb: number;
}

export async function run(): Promise<Row[]> {
  const model = new Mlp({ widths, seed: 1 });
  const n = model.parameters.count;
  const { definition } = crucibleService();
  // Serialized sizes of one task and one result, as they go on the wire.
  const sampleTask = encodeTask('00000000-0000-0000-0000-000000000000', { kind: 'fit', runId: 'bench', round: 1, config: { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd', seed: 123456789 }, arrays: { parameters: model.parameters.get() } }, Date.now());
  const sampleResult = encodeResult('00000000-0000-0000-0000-000000000000', { ok: true, kind: 'fit', runId: 'bench', round: 1, plantId: 'plant-000', numExamples: 100, metrics: { trainLoss: 0.1 }, arrays: { update: model.parameters.get() } });
  const taskBytes = (definition.StreamTasks.responseSerialize as (v: unknown) => Buffer)(sampleTask).length;
  const resultBytes = (definition.SubmitFitResult.requestSerialize as (v: unknown) => Buffer)(sampleResult).length;

  console.log(`model: ${n} parameters (MLP ${widths.join('-')}); ${rounds} rounds per case after one warm-up round; FedAvg; SQLite checkpoint every round`);
  console.log('plants: gRPC clients in one child process, synthetic updates (no local training); coordinator = this process');
  const rows: Row[] = [];
  for (const plants of plantCounts) rows.push(await benchCase(plants, model.parameters.get(), taskBytes, resultBytes));
  console.log('');
  console.log('plants | ms/round | MB down/round | MB up/round | coordinator peak RSS MB | peak heap MB');
  console.log('------ | -------- | ------------- | ----------- | ----------------------- | ------------');
  for (const r of rows) {
    console.log(`${String(r.plants).padStart(6)} | ${r.msPerRound.toFixed(0).padStart(8)} | ${r.mbDownPerRound.toFixed(2).padStart(13)} | ${r.mbUpPerRound.toFixed(2).padStart(11)} | ${r.peakRssMb.toFixed(0).padStart(23)} | ${r.peakHeapMb.toFixed(0).padStart(12)}`);
  }
  return rows;
}

async function benchCase(plants: number, initialParameters: Float64Array, taskBytes: number, resultBytes: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-bench-'));
  const store = CrucibleStore.open(join(dir, 'bench.db'));
  const tokens: Record<string, string> = {};
  for (let p = 0; p < plants; p++) {
    const id = `plant-${String(p).padStart(3, '0')}`;
    const { token, tokenHash } = issuePlantToken(id);
    store.plants.enroll(id, { tokenHash });
    tokens[id] = token;
  }
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify(tokens));
  const grid = await GrpcGrid.listen({ security: { kind: 'insecure' }, authenticator: registryAuthenticator(store.plants), maxMessageBytes: 16 * 1024 * 1024 });
  const helper = fileURLToPath(new URL('./support/federation-plants.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), helper, `127.0.0.1:${grid.port}`, join(dir, 'tokens.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  global.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  };
  const sampler = setInterval(sample, 20);
  try {
    const times: number[] = [];
    let last = performance.now();
    for await (const r of runFederation(grid, fedAvg(), {
      runId: `bench-${plants}`, rounds: rounds + 1, seed: 1, initialParameters,
      training: { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd' },
      minPlants: plants, evaluateEvery: 0,
      timeouts: { waitForPlantsMs: 120_000, fitMs: 120_000, evaluateMs: 60_000 },
      store: new SqliteRoundStore(store),
    })) {
      const now = performance.now();
      if (r.round > 1) times.push(now - last); // round 1 also waits for every plant to connect
      last = now;
      sample();
    }
    const msPerRound = times.reduce((a, b) => a + b, 0) / times.length;
    const row: Row = {
      plants, msPerRound,
      mbDownPerRound: (plants * taskBytes) / 1e6,
      mbUpPerRound: (plants * resultBytes) / 1e6,
      peakRssMb: peakRss / 1e6,
      peakHeapMb: peakHeap / 1e6,
    };
    console.log(`${plants} plants: ${msPerRound.toFixed(0)} ms/round`);
    return row;
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await grid.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
