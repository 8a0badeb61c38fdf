/**
 * The federated training of the demo over the real deployment path: `crucible enroll` issues each
 * plant's certificate and token, `crucible coordinator` serves gRPC with mutual TLS on a free
 * loopback port, and one `crucible plant` process per plant trains on its own training file. The
 * coordinator's JSON lines are turned into events as rounds complete; at the end the final global
 * model and its feature scaling are read from the coordinator's SQLite store.
 *
 * @example
 * const run = federateOverNetwork(plants, { dir: 'out/run-1/federation', model, rounds: 30 });
 * for (let e = await run.next(); !e.done; e = await run.next()) console.log(e.value);
 */
import { writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { CrucibleError } from '../errors.js';
import type { FeatureScaling } from '../federation/feature-scaling.js';
import { coordinatorConfigSchema, plantConfigSchema } from '../transport/config.js';
import { CrucibleStore } from '../store/store.js';
import { type CrucibleProcess, runCrucible, spawnCrucible } from './processes.js';

export interface NetworkPlant {
  plantId: string;
  trainFile: { data: string; schema: string };
}

export interface NetworkOptions {
  /** Folder for pki/, creds/, the store and the YAML configs. */
  dir: string;
  model: { widths: number[]; activation: string; seed: number };
  rounds: number;
  seed: number;
  /** FedAdam's server learning rate. */
  serverLearningRate: number;
  training: { epochs: number; maxSteps?: number; batchSize: number; learningRate: number; optimizer: 'adam' | 'sgd' };
  /** Share of each plant's training file it keeps for the per-round federated evaluation. Default 0.1. */
  validationFraction?: number;
  /** Stops everything (the coordinator and plants get SIGTERM). */
  signal?: AbortSignal;
}

export type NetworkEvent =
  | { type: 'enrolled'; plantId: string }
  | { type: 'listening'; port: number; secureAggregation: boolean }
  | { type: 'round'; round: number; rounds: number; participants: string[]; trainLoss: number; mse: number; rmse: number; r2: number; durationMs: number };

export interface NetworkResult {
  runId: string;
  port: number;
  storePath: string;
  /** Whether the coordinator and plants ran with secure aggregation (only if their configs accept it). */
  secureAggregation: boolean;
  rounds: Extract<NetworkEvent, { type: 'round' }>[];
  parameters: Float64Array;
  scaling: FeatureScaling;
  /** Each process's exit code. */
  exitCodes: Record<string, number>;
}

/** The config key (if any) by which coordinator and plant configs turn on secure aggregation. */
function secureAggregationKey(): string | undefined {
  const coordinatorKeys = Object.keys(coordinatorConfigSchema.shape);
  const plantKeys = new Set(Object.keys(plantConfigSchema.shape));
  return ['secureAggregation', 'secagg'].find((k) => coordinatorKeys.includes(k) && plantKeys.has(k));
}

/** Runs the federation as separate processes and yields its progress (see the file comment). */
export async function* federateOverNetwork(plants: readonly NetworkPlant[], options: NetworkOptions): AsyncGenerator<NetworkEvent, NetworkResult, undefined> {
  const dir = options.dir;
  // A fresh federation every time: a store left by an earlier demo would make the coordinator resume
  // (and find) that finished run. Only the demo's own generated files live here.
  for (const file of ['crucible.db', 'crucible.db-wal', 'crucible.db-shm']) await rm(join(dir, file), { force: true });
  for (const sub of ['pki', 'creds']) await rm(join(dir, sub), { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const runId = 'demo';
  for (const p of plants) {
    await runCrucible(['enroll', p.plantId, '--out', join('creds', p.plantId), '--store', 'crucible.db', '--pki', 'pki', '--host', '127.0.0.1', '--host', 'localhost'], { cwd: dir });
    yield { type: 'enrolled', plantId: p.plantId };
  }
  const secureKey = secureAggregationKey();
  const secure = secureKey === undefined ? {} : { [secureKey]: { enabled: true } };
  writeFileSync(
    join(dir, 'federation.yaml'),
    YAML.stringify({
      runId,
      listen: { host: '127.0.0.1', port: 0 },
      store: 'crucible.db',
      tls: { ca: 'pki/ca.pem', cert: 'pki/coordinator.pem', key: 'pki/coordinator-key.pem' },
      model: options.model,
      strategy: { kind: 'fedadam', serverLearningRate: options.serverLearningRate },
      rounds: options.rounds,
      seed: options.seed,
      minPlants: plants.length,
      training: options.training,
      timeouts: { waitForPlantsMs: 120_000, fitMs: 600_000, evaluateMs: 300_000 },
      heartbeatIntervalMs: 1000,
      ...secure,
    }),
  );

  // Events arrive from child-process callbacks; the generator drains them in order.
  const queue: (NetworkEvent | { type: 'done' } | { type: 'failed'; error: Error })[] = [];
  let wake: (() => void) | undefined;
  const push = (e: (typeof queue)[number]): void => {
    queue.push(e);
    wake?.();
  };
  const rounds: Extract<NetworkEvent, { type: 'round' }>[] = [];
  const processes: CrucibleProcess[] = [];
  let port = 0;

  const startPlants = (): void => {
    for (const p of plants) {
      const creds = join('creds', p.plantId);
      const configFile = join(dir, `${p.plantId}.yaml`);
      writeFileSync(
        configFile,
        YAML.stringify({
          coordinator: `127.0.0.1:${port}`,
          token: join(creds, 'token'),
          tls: { ca: join(creds, 'ca.pem'), cert: join(creds, 'plant.pem'), key: join(creds, 'plant-key.pem') },
          model: options.model,
          data: { kind: 'csv', file: relative(dir, p.trainFile.data), schema: relative(dir, p.trainFile.schema) },
          validationFraction: options.validationFraction ?? 0.1,
          splitSeed: options.seed,
          ...secure,
        }),
      );
      const plant = spawnCrucible(p.plantId, ['plant', '--config', `${p.plantId}.yaml`, '--json'], { cwd: dir });
      processes.push(plant);
      void plant.exited.then((code) => {
        if (code !== 0 && !finished) push({ type: 'failed', error: new CrucibleError('PROCESS_FAILED', `plant ${p.plantId} exited with ${code}: ${plant.stderrTail()}`) });
      });
    }
  };

  let finished = false;
  const coordinator = spawnCrucible('coordinator', ['coordinator', '--config', 'federation.yaml', '--json'], {
    cwd: dir,
    onLine: (line) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (e.type === 'listening') {
        port = e.port as number;
        push({ type: 'listening', port, secureAggregation: secureKey !== undefined });
        startPlants();
      } else if (e.type === 'round') {
        const evaluation = (e.evaluation ?? {}) as Record<string, number>;
        const fit = (e.fit ?? {}) as Record<string, number>;
        const r = {
          type: 'round' as const,
          round: e.round as number,
          rounds: options.rounds,
          participants: e.participants as string[],
          trainLoss: fit.trainLoss ?? Number.NaN,
          mse: evaluation.mse ?? Number.NaN,
          rmse: evaluation.rmse ?? Number.NaN,
          r2: evaluation.r2 ?? Number.NaN,
          durationMs: e.durationMs as number,
        };
        rounds.push(r);
        push(r);
      } else if (e.type === 'completed') {
        finished = true;
        push({ type: 'done' });
      }
    },
  });
  processes.unshift(coordinator);
  void coordinator.exited.then((code) => {
    if (!finished) push({ type: 'failed', error: new CrucibleError('PROCESS_FAILED', `the coordinator exited with ${code} before the run completed: ${coordinator.stderrTail()}`) });
  });
  const abort = (): void => push({ type: 'failed', error: new CrucibleError('PROCESS_FAILED', 'demo: stopped before the federation completed') });
  options.signal?.addEventListener('abort', abort, { once: true });

  const exitCodes: Record<string, number> = {};
  try {
    for (;;) {
      const e = queue.shift();
      if (e === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (e.type === 'done') break;
      if (e.type === 'failed') throw e.error;
      yield e;
    }
    exitCodes.coordinator = await coordinator.exited;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    finished = true;
    for (const p of processes) exitCodes[p.name] = await p.stop();
  }

  const storePath = join(dir, 'crucible.db');
  const store = CrucibleStore.open(storePath);
  try {
    const checkpoint = store.lastCheckpoint(runId);
    if (checkpoint === undefined) throw new CrucibleError('PROCESS_FAILED', `demo: the coordinator's store ${storePath} has no checkpoint of run '${runId}'`);
    const saved = checkpoint.strategyState as { scaling?: FeatureScaling | null };
    if (saved.scaling === undefined || saved.scaling === null) throw new CrucibleError('PROCESS_FAILED', `demo: the checkpoint of run '${runId}' has no feature scaling`);
    return { runId, port, storePath, secureAggregation: secureKey !== undefined, rounds, parameters: checkpoint.globalParameters, scaling: saved.scaling, exitCodes };
  } finally {
    store.close();
  }
}
