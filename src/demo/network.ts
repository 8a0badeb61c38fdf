/**
 * The federated training of the demo over the real deployment path: `crucible enroll` issues each
 * plant's certificate and token, `crucible coordinator` serves gRPC with mutual TLS on a free
 * loopback port, and one `crucible plant` process per plant trains on its own training file. The
 * coordinator's JSON lines are turned into events as rounds complete; at the end the final global
 * model and its feature scaling are read from the coordinator's SQLite store.
 *
 * Secure aggregation (SecAgg+) is on by default: `federation.yaml` enables it and every plant's
 * `plant.yaml` requires it, so neither the plants' updates nor their feature statistics reach the
 * coordinator unmasked. Whether it was on is read back from the coordinator's own output, not assumed.
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
import type { SecureAggregationConfig } from '../transport/config.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadPlantData } from '../transport/plantRuntime.js';
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
  /** Sum the plants' updates and feature statistics by secure aggregation (SecAgg+). Default true. */
  secureAggregation?: boolean;
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
  /** Whether the coordinator ran with secure aggregation and every round's updates were securely summed (from its output). */
  secureAggregation: boolean;
  rounds: Extract<NetworkEvent, { type: 'round' }>[];
  parameters: Float64Array;
  scaling: FeatureScaling;
  /** Each process's exit code. */
  exitCodes: Record<string, number>;
}

/**
 * The `secureAggregation` section for plants holding `data`: what a deployer sets from row counts
 * and sensor ranges, here taken from the data themselves (2× the largest per-plant sums, rounded up
 * to a power of ten), so the statistics quantize finely yet never clip; the example cap is ≥ every
 * plant's rows, so the aggregate weights plants exactly as plaintext FedAdam would.
 */
export function secureAggregationSectionFor(data: readonly { x: Tensor; y: Tensor }[]): Partial<SecureAggregationConfig> & Pick<SecureAggregationConfig, 'exampleCap' | 'statisticsClipRange'> {
  let rows = 1;
  const largest = { featureSum: 1, featureSumSq: 1, targetSum: 1, targetSumSq: 1 };
  const bound = (t: Tensor, sum: 'featureSum' | 'targetSum', sumSq: 'featureSumSq' | 'targetSumSq'): void => {
    for (let j = 0; j < t.cols; j++) {
      let a = 0;
      let q = 0;
      for (let i = j; i < t.data.length; i += t.cols) {
        a += Math.abs(t.data[i]);
        q += t.data[i] ** 2;
      }
      largest[sum] = Math.max(largest[sum], a);
      largest[sumSq] = Math.max(largest[sumSq], q);
    }
  };
  for (const d of data) {
    rows = Math.max(rows, d.x.rows);
    bound(d.x, 'featureSum', 'featureSumSq');
    bound(d.y, 'targetSum', 'targetSumSq');
  }
  const round = (v: number): number => 10 ** Math.ceil(Math.log10(2 * v));
  return {
    enabled: true,
    variant: 'secagg+',
    exampleCap: round(rows),
    statisticsClipRange: { featureSum: round(largest.featureSum), featureSumSq: round(largest.featureSumSq), targetSum: round(largest.targetSum), targetSumSq: round(largest.targetSumSq) },
  };
}

/** The section the demo's coordinator runs with: `secureAggregationSectionFor` the plants' training files. */
async function secureAggregationSection(plants: readonly NetworkPlant[]): Promise<Partial<SecureAggregationConfig>> {
  return secureAggregationSectionFor(await Promise.all(plants.map((p) => loadPlantData({ kind: 'csv', file: p.trainFile.data, schema: p.trainFile.schema }))));
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
  // The commands this function runs, in order, as a user would type them (in this folder).
  const commands = [
    ...plants.map((p) => `crucible enroll ${p.plantId} --out creds/${p.plantId} --store crucible.db --pki pki --host 127.0.0.1 --host localhost`),
    'crucible coordinator --config federation.yaml --json',
    ...plants.map((p) => `crucible plant --config ${p.plantId}.yaml --json   # one process per plant, started once the coordinator listens`),
  ];
  writeFileSync(join(dir, 'commands.txt'), `# Run in ${dir} by the demo; the port in each plant-*.yaml is the one the coordinator chose.\n${commands.join('\n')}\n`);
  for (const p of plants) {
    await runCrucible(['enroll', p.plantId, '--out', join('creds', p.plantId), '--store', 'crucible.db', '--pki', 'pki', '--host', '127.0.0.1', '--host', 'localhost'], { cwd: dir });
    yield { type: 'enrolled', plantId: p.plantId };
  }
  const secureAggregation = options.secureAggregation ?? true;
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
      secureAggregation: secureAggregation ? await secureAggregationSection(plants) : { enabled: false },
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
  /** What the coordinator reported: secure aggregation on at start, and every round securely summed. */
  let secureAtStart = false;
  let everyRoundSecure = true;

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
          // The plant itself refuses to send an update in the clear when the demo runs securely.
          secureAggregation: { required: secureAggregation },
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
        secureAtStart = e.secureAggregation === true;
        push({ type: 'listening', port, secureAggregation: secureAtStart });
        startPlants();
      } else if (e.type === 'round') {
        const evaluation = (e.evaluation ?? {}) as Record<string, number>;
        const fit = (e.fit ?? {}) as Record<string, number>;
        if (e.secureAggregation !== true) everyRoundSecure = false;
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
    const secure = secureAtStart && everyRoundSecure && rounds.length > 0;
    if (secure !== secureAggregation) {
      throw new CrucibleError('PROCESS_FAILED', `demo: secure aggregation was asked ${secureAggregation ? 'on' : 'off'} but the coordinator ran with it ${secure ? 'on' : 'off'}`);
    }
    return { runId, port, storePath, secureAggregation: secure, rounds, parameters: checkpoint.globalParameters, scaling: saved.scaling, exitCodes };
  } finally {
    store.close();
  }
}
