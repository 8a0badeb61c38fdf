/**
 * `npm run bench -- privacy`: the cost of secure aggregation, and the accuracy/ε trade-off of DP.
 *
 * (1) Round wall time and payload bytes of a federated round with SecAgg+ against plaintext FedAvg,
 *     for 10 and 50 plants and a ~100k-parameter MLP, over the real gRPC transport on 127.0.0.1.
 *     This process holds only the coordinator (GrpcGrid + runFederation); the plants are gRPC
 *     clients split over two child processes (bench/support/privacy-plants.ts, one per core of the
 *     2-core bench machine), the same for both arms. Plants in one host still run one after another,
 *     so with more plants than cores plant work is serialised, which a deployment (one machine per
 *     plant) never does. A round is: send the global model, local training (1 epoch, 64 rows),
 *     gather the updates — in the clear, or through the SecAgg stages (in steady state two
 *     exchanges: the model with the shares addressed to the plant, answered by the masked input;
 *     then the unmasking, which also advertises and shares the next round's keys) —
 *     and aggregate. The two arms alternate round by round on the same plants, so both see the
 *     same machine load; the first round of each is a warm-up. Bytes are message payloads (float64
 *     arrays at 8 B, opaque bytes, JSON config) counted at the Grid, both directions; gRPC/HTTP2
 *     framing is not included.
 * (2) Accuracy on a simulated 3-plant federation: SecAgg+ against plain FedAvg (equal to quantization
 *     error), and DP-FedAvg's held-out RMSE against the client-level ε of the run (`federatedAccuracy`,
 *     the same table `crucible audit` prints).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Grid } from '../src/federation/grid.js';
import type { PlantReply, TaskMessage } from '../src/federation/messages.js';
import { createPlant } from '../src/federation/plant.js';
import { runFederation, type FederationOptions } from '../src/federation/run.js';
import { fedAvg } from '../src/federation/strategies/fed-avg.js';
import { Mlp } from '../src/nn/mlp.js';
import { federatedAccuracy, formatAccuracyReport } from '../src/privacy/audit/federatedAccuracy.js';
import { secureFitCollector } from '../src/privacy/secagg/fitCollector.js';
import { defaultDegree } from '../src/privacy/secagg/graph.js';
import { secureAggregationPlant } from '../src/privacy/secagg/plantMiddleware.js';
import { SecAggCoordinator } from '../src/privacy/secagg/coordinator.js';
import { FixedPoint } from '../src/privacy/secagg/fixedPoint.js';
import { SecAggPlant } from '../src/privacy/secagg/plant.js';
import { InMemoryGrid } from '../src/federation/in-memory-grid.js';
import { Rng } from '../src/tensor/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import { startLoopback, type Loopback } from '../src/transport/test-support/loopback.js';
import type { PlantHostSpec } from './support/privacy-plants.js';

const WIDTHS = [16, 256, 256, 128, 1]; // 103,169 parameters
const ROUNDS = 9;

/** Wraps a grid and counts the payload bytes of every task sent and reply received. */
function countingGrid(inner: Grid): { grid: Grid; bytes: () => number; reset: () => void } {
  let total = 0;
  const size = (m: { config?: object; arrays?: Readonly<Record<string, Float64Array | undefined>>; bytes?: Readonly<Record<string, Uint8Array>>; metrics?: object }) => {
    let n = JSON.stringify(m.config ?? m.metrics ?? {}).length + 64; // header: kind, ids, round
    for (const a of Object.values(m.arrays ?? {})) n += 8 * (a?.length ?? 0);
    for (const b of Object.values(m.bytes ?? {})) n += b.byteLength;
    return n;
  };
  const grid: Grid = {
    plants: () => inner.plants(),
    waitForPlants: (min, o) => inner.waitForPlants(min, o),
    onEvent: (l) => inner.onEvent(l),
    close: () => inner.close(),
    send(ids, task, options) {
      const taskFor = typeof task === 'function' ? task : () => task;
      const counted = (id: string): TaskMessage => {
        const t = taskFor(id);
        total += size(t);
        return t;
      };
      const replies = inner.send(ids, counted, options);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const r of replies as AsyncIterable<PlantReply>) {
            if (r.ok) total += size(r);
            yield r;
          }
        },
      };
    },
  };
  return { grid, bytes: () => total, reset: () => (total = 0) };
}

/** plain ms | SecAgg+ ms | time × | paired × (range) */
function row(c: CaseResult): string {
  const range = `(${c.pairedRange[0].toFixed(2)}–${c.pairedRange[1].toFixed(2)})`;
  return `${c.plainMs.toFixed(0).padStart(8)} | ${c.secureMs.toFixed(0).padStart(10)} | ${(c.secureMs / c.plainMs).toFixed(2).padStart(5)}× | ${(c.pairedRatio.toFixed(2) + '×').padStart(6)} ${range.padEnd(11)}`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The SecAgg+ protocol alone on 100k-word inputs, timing each party's own work: in a deployment the
 * plants compute in parallel, so a round's critical path is the slowest plant plus the coordinator,
 * not the sum this single process pays.
 */
function protocolBreakdown(plants: number, length: number): { plantMs: number; coordinatorMs: number } {
  const ids = Array.from({ length: plants }, (_, p) => `plant-${p}`);
  const parties = ids.map((id) => new SecAggPlant(id));
  const coordinator = new SecAggCoordinator({ round: 'bench', vectorLength: length, cohortSize: plants });
  const plantMs = new Map(ids.map((id) => [id, 0]));
  let coordinatorMs = 0;
  const timed = <T>(id: string | null, f: () => T): T => {
    const t0 = performance.now();
    const out = f();
    const dt = performance.now() - t0;
    if (id === null) coordinatorMs += dt;
    else plantMs.set(id, plantMs.get(id)! + dt);
    return out;
  };
  const fp = new FixedPoint({ clipRange: 1, plants });
  const rng = new Rng(plants);
  const updates = new Map(ids.map((id) => [id, rng.fillUniform(new Float64Array(length), -0.01, 0.01)]));
  for (const p of parties) {
    const keys = timed(p.plant, () => p.advertiseKeys('bench'));
    timed(null, () => coordinator.receiveKeys(keys));
  }
  const roster = timed(null, () => coordinator.closeAdvertising());
  for (const p of parties) {
    const shared = timed(p.plant, () => p.shareKeys(roster));
    timed(null, () => coordinator.receiveShares(shared));
  }
  const deliveries = timed(null, () => coordinator.closeSharing());
  for (const p of parties) {
    const masked = timed(p.plant, () => p.maskedInput(deliveries.get(p.plant)!, fp.encode(updates.get(p.plant)!)));
    timed(null, () => coordinator.receiveMasked(masked));
  }
  const request = timed(null, () => coordinator.closeMasking());
  for (const p of parties) {
    const shares = timed(p.plant, () => p.unmask(request));
    timed(null, () => coordinator.receiveUnmask(shares));
  }
  timed(null, () => fp.decode(coordinator.finish().sum));
  return { plantMs: Math.max(...plantMs.values()), coordinatorMs };
}

/** The same rounds on the in-memory grid: no transport cost, plants still serialised in this process. */
async function inMemoryCost(plants: number): Promise<CaseResult> {
  const grid = new InMemoryGrid();
  const model = () => new Mlp({ widths: WIDTHS, seed: 1 });
  const rng = new Rng(plants);
  for (let p = 0; p < plants; p++) {
    const x = new Tensor(64, 16, rng.fillNormal(new Float64Array(64 * 16)));
    const y = new Tensor(64, 1, rng.fillNormal(new Float64Array(64)));
    grid.connect(createPlant({ plantId: `plant-${p}`, data: { x, y }, validationFraction: 0, model, middleware: [secureAggregationPlant({ requireSecureAggregation: false })] }));
  }
  return interleavedRounds(grid, roundOptions(`mem-${plants}`, plants, model, ROUNDS), () => 0, () => processCpuMs(process.pid));
}

/** The federation options of both arms of a case. */
function roundOptions(runId: string, plants: number, model: () => Mlp, rounds: number): FederationOptions {
  return {
    runId, rounds, seed: 1, initialParameters: model().parameters.get(),
    training: { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd' },
    minPlants: plants, timeouts: { waitForPlantsMs: 30_000, fitMs: 120_000, evaluateMs: 60_000 }, evaluateEvery: 0,
  };
}

/** Medians of both arms over the counted rounds (all but the first), and the median of the per-round ratios. */
interface CaseResult {
  readonly plainMs: number;
  readonly secureMs: number;
  /** Median over rounds of (SecAgg+ round r) / (plaintext round r), the two run back to back. */
  readonly pairedRatio: number;
  readonly pairedRange: readonly [number, number];
  readonly plainBytes: number;
  readonly secureBytes: number;
  /** Total CPU of every process of the case (coordinator and plant hosts), SecAgg+ over plaintext, summed over the counted rounds. */
  readonly cpuRatio: number;
}

/**
 * Runs the two arms round by round in turn (plain, SecAgg+, plain, …) on the same grid and plants,
 * so both see the same load on this shared machine; round 1 of each warms up and is not counted.
 * `takeBytes` returns (and resets) the payload bytes counted since it was last called.
 */
async function interleavedRounds(grid: Grid, options: FederationOptions, takeBytes: () => number, cpuMs: () => number): Promise<CaseResult> {
  const arm = (collect?: FederationOptions['collectFit']) => ({
    rounds: runFederation(grid, fedAvg(), { ...options, runId: `${options.runId}-${collect ? 's' : 'p'}`, collectFit: collect })[Symbol.asyncIterator](),
    times: [] as number[],
    bytes: [] as number[],
    cpu: 0,
  });
  const plain = arm();
  const secure = arm(secureFitCollector({ clipRange: 1, exampleCap: 64 }));
  for (let round = 1; round <= options.rounds; round++) {
    for (const a of [plain, secure]) {
      takeBytes();
      const cpuBefore = cpuMs();
      const next = await a.rounds.next();
      if (next.done === true) throw new Error(`bench: federation ended before round ${round}`);
      if (round > 1) {
        a.times.push(next.value.durationMs);
        a.bytes.push(takeBytes());
        a.cpu += cpuMs() - cpuBefore;
      }
    }
  }
  for (const a of [plain, secure]) await a.rounds.return?.(undefined);
  const ratios = secure.times.map((t, i) => t / plain.times[i]);
  return {
    plainMs: median(plain.times), secureMs: median(secure.times),
    pairedRatio: median(ratios), pairedRange: [Math.min(...ratios), Math.max(...ratios)],
    plainBytes: median(plain.bytes), secureBytes: median(secure.bytes), cpuRatio: secure.cpu / plain.cpu,
  };
}

/** Child processes hosting the plants of a gRPC case: one per core of this 2-core machine. */
const PLANT_HOSTS = 2;

/** Plant ids of each host: consecutive halves (plant-00…04 and plant-05…09 for 10 plants). */
function hostedPlants(plants: number): string[][] {
  const ids = Array.from({ length: plants }, (_, p) => `plant-${String(p).padStart(2, '0')}`);
  const per = Math.ceil(plants / PLANT_HOSTS);
  return Array.from({ length: PLANT_HOSTS }, (_, h) => ids.slice(h * per, (h + 1) * per)).filter((g) => g.length > 0);
}

/** Starts the plant host processes for `lb`'s grid; resolves to a function that stops them. */
function spawnPlantHosts(lb: Loopback, plants: number, dir: string): { pids: number[]; stop: () => Promise<void> } {
  const helper = fileURLToPath(new URL('./support/privacy-plants.ts', import.meta.url));
  const children: ChildProcess[] = hostedPlants(plants).map((group, h) => {
    const spec: PlantHostSpec = { plants, widths: WIDTHS, hosted: group.map((plantId) => ({ plantId, index: Number(plantId.slice('plant-'.length)), token: lb.enroll(plantId) })) };
    const file = join(dir, `plants-${h}.json`);
    writeFileSync(file, JSON.stringify(spec));
    return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), helper, lb.address, file], { stdio: ['ignore', 'inherit', 'inherit'] });
  });
  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
  };
  return { pids: children.map((c) => c.pid!), stop };
}

/**
 * CPU time (user + system, ms) a process has used so far: this process from node, the plant hosts
 * from /proc (Linux; clock ticks of 10 ms). NaN where /proc is unavailable.
 */
function processCpuMs(pid: number): number {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name): utime, stime.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS_PER_S = 100;

async function secAggCost(plants: number): Promise<CaseResult> {
  const lb = await startLoopback();
  const dir = mkdtempSync(join(tmpdir(), 'crucible-privacy-bench-'));
  // The same plants, in the same child processes, answer plaintext rounds and SecAgg+ rounds.
  const hosts = spawnPlantHosts(lb, plants, dir);
  try {
    await lb.grid.waitForPlants(plants, { timeoutMs: 60_000 });
    const { grid, bytes, reset } = countingGrid(lb.grid);
    const takeBytes = () => {
      const n = bytes();
      reset();
      return n;
    };
    const cpuMs = () => [process.pid, ...hosts.pids].reduce((s, pid) => s + processCpuMs(pid), 0);
    // More rounds where they are cheap: the median of the paired ratios needs them on a noisy machine.
    const rounds = plants <= 10 ? 3 * ROUNDS : ROUNDS;
    return await interleavedRounds(grid, roundOptions(`bench-${plants}`, plants, () => new Mlp({ widths: WIDTHS, seed: 1 }), rounds), takeBytes, cpuMs);
  } finally {
    await hosts.stop();
    await lb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; model ${WIDTHS.join('→')} (${new Mlp({ widths: WIDTHS }).parameters.count} parameters); load average ${loadavg()[0].toFixed(1)} (timings are only comparable at low load)`);
  console.log('\n(1) one federated round over gRPC on 127.0.0.1: plaintext FedAvg vs SecAgg+');
  console.log(`hosting: coordinator alone in this process (pid ${process.pid}); plants as gRPC clients (one channel each) in ${PLANT_HOSTS} child processes, the same plants and processes for both arms:`);
  for (const plants of [10, 50]) console.log(`  ${plants} plants: ${hostedPlants(plants).map((g, h) => `host ${h + 1} = ${g[0]}…${g[g.length - 1]} (${g.length})`).join(', ')}`);
  console.log('plants | degree k | plain ms | SecAgg+ ms | time × | paired × (range)   | CPU × | plain MB | SecAgg+ MB | bytes × | load');
  for (const plants of [10, 50]) {
    const c = await secAggCost(plants);
    console.log(`${String(plants).padStart(6)} | ${String(defaultDegree(plants)).padStart(8)} | ${row(c)} | ${c.cpuRatio.toFixed(2).padStart(4)}× | ${(c.plainBytes / 1e6).toFixed(2).padStart(8)} | ${(c.secureBytes / 1e6).toFixed(2).padStart(10)} | ${(c.secureBytes / c.plainBytes).toFixed(2).padStart(6)}× | ${loadavg()[0].toFixed(1)}`);
  }
  console.log(`goals at 10 plants: time ≤ 1.3×, bytes ≤ 1.2×  (time × = ratio of the medians; paired × = median of per-round ratios, the arms run back to back; CPU × = CPU of coordinator and plant hosts over the counted rounds; rounds 2–${3 * ROUNDS} at 10 plants, 2–${ROUNDS} at 50)`);
  console.log('\n(1b) the same rounds on the in-memory grid (no transport), and the SecAgg+ work per party');
  console.log('plants | plain ms | SecAgg+ ms | time × | paired × (range)   | CPU × | slowest plant SecAgg ms | coordinator SecAgg ms');
  protocolBreakdown(5, 1000); // warm up the JIT before timing parties
  for (const plants of [10, 50]) {
    const m = await inMemoryCost(plants);
    const b = protocolBreakdown(plants, new Mlp({ widths: WIDTHS }).parameters.count);
    console.log(`${String(plants).padStart(6)} | ${row(m)} | ${m.cpuRatio.toFixed(2).padStart(4)}× | ${b.plantMs.toFixed(1).padStart(23)} | ${b.coordinatorMs.toFixed(1).padStart(21)}`);
  }
  console.log('In a deployment plants mask in parallel: SecAgg+ adds about one plant\'s work plus the coordinator\'s to a round, and one extra message exchange (the keys of a round are advertised and shared during the previous one).');
  console.log('\n(2) accuracy under SecAgg+ and DP-FedAvg on a simulated 3-plant federation (the table of `crucible audit`)\n');
  console.log(formatAccuracyReport(await federatedAccuracy()));
}
