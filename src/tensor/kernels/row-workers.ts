/**
 * Splits a product's rows between the calling thread and ONE helper worker thread that maps the
 * same shared WebAssembly memory. Both claim chunks of rows from one atomic word until none is
 * left, so a helper that is slow to wake just takes fewer chunks, and the main thread never waits
 * for work nobody has started. The main thread claims from the front, the helper from the back: in a
 * run of like jobs (the fused MLP pass' steps) each thread then computes mostly the same rows every
 * time, and what it writes is mostly in its own core's cache already. Every C element is computed
 * the same way whatever thread computes it (see asm/gemm.ts), so results are bit-identical with and
 * without the helper.
 *
 * Two kinds of jobs:
 * - large products (`gemmRows`, ≥ 2^20 multiply-adds): the main thread waits for the chunks the
 *   helper claimed;
 * - mid-size layers (`runChunks`, tens of µs): the helper must answer within microseconds, so after
 *   each job it polls for the next one for a while (`SPIN_MS`) before it blocks in Atomics.wait, and
 *   the main thread hands out work only while it is polling. If the helper claimed a chunk and does
 *   not finish it within a deadline (descheduled on a busy machine), the main thread computes those
 *   rows itself in its private memory (`steal`) and leaves the shared workspace alone until the
 *   helper is out of that job: its late writes then land where nothing is read.
 *
 * The helper is unref'd, so it never keeps a process alive. Threads are on when the machine has
 * ≥ 2 CPUs, unless `CRUCIBLE_THREADS=1`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmKernels } from './wasm.js';
import { ARGS, BUSY, CHUNKS, CHUNK_ROWS, CLOSED, DELAY, DONE, FAILED, HELPER, HELPER_CHUNKS } from './row-helper.js';
import { HELPER_DONE, JobKind, KIND, KIND_CHUNKS, NEXT, READY, SEQ, SLOTS, SPINNING } from './row-helper.js';

export { JobKind } from './row-helper.js';

/** At most this many chunks per `runChunks` job (one bit each in HELPER_DONE). */
export const MAX_CHUNKS = 30;
/**
 * Mid-size jobs are offered only while they pay: of every WINDOW chunks handed out (about 40 steps
 * of a 64-row MLP), the helper must compute at least MIN_SHARE, and be late with at most MAX_LATE
 * of them; otherwise none are offered for BACKOFF_MS, so that on a machine whose cores are all busy
 * the helper stops polling (it would take CPU time from the main thread and everyone else) and the
 * layers run on one thread.
 */
const WINDOW = 1024;
const MIN_SHARE = 0.2;
const MAX_LATE = 16;
const BACKOFF_MS = 100;

/** A job of `runChunks`: rows [0, m) of one kernel's output, in chunks of `chunkRows`. */
export interface ChunkJob {
  kind: JobKind;
  /** The kernel's arguments before (i0, i1, scratch); the second is m, the row count. */
  args: readonly number[];
  chunkRows: number;
  /** The main thread's scratch (the helper's is `helperScratch`). */
  scratch: number;
  helperScratch: number;
  /** Expected µs of one chunk, for the deadline after which the main thread steals it. */
  chunkMicros: number;
}

export class RowWorkers {
  private readonly ctl: Int32Array;
  private worker: Worker | null = null;
  private seq = 0;
  /** A job whose stolen chunk the helper may still be writing: the shared workspace is off-limits. */
  private tainted = 0;
  private stolenEver = 0;
  private abandonedJobs = 0;
  // The current window of mid-size chunks: handed out, computed by the helper, stolen.
  private window = { chunks: 0, helper: 0, stolen: 0 };
  private pausedUntil = 0;

  constructor(private readonly kernels: WasmKernels) {
    this.ctl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  }

  /** Whether a helper thread is running and ready (starts it on first ask; false until it is up). */
  ready(): boolean {
    if (this.worker === null) {
      this.worker = new Worker(HELPER, {
        eval: true,
        workerData: { module: this.kernels.module, memory: this.kernels.memory, control: this.ctl.buffer },
      });
      this.worker.unref();
      // A helper that fails to start leaves READY at 0: the main thread keeps doing all the work.
      this.worker.on('error', () => Atomics.store(this.ctl, READY, 0));
    }
    return Atomics.load(this.ctl, READY) === 1;
  }

  /** Whether the shared workspace may be written: no late helper is still inside a stolen chunk. */
  sharedFree(): boolean {
    if (this.tainted !== 0) {
      if (Atomics.load(this.ctl, BUSY) === this.tainted) return false;
      this.tainted = 0;
    }
    return true;
  }

  /**
   * Whether a `runChunks` job would find the helper polling (and the shared workspace free). A
   * blocked helper is woken for the jobs after this one.
   */
  hot(): boolean {
    if (!this.ready() || (this.pausedUntil !== 0 && performance.now() < this.pausedUntil) || !this.sharedFree()) return false;
    if (Atomics.load(this.ctl, SPINNING) === 1) return true;
    Atomics.notify(this.ctl, SEQ);
    return false;
  }

  /** How many chunks the helper thread has computed so far: of all jobs, or of one kind. */
  helperChunks(kind?: JobKind): number {
    return Atomics.load(this.ctl, kind === undefined ? HELPER_CHUNKS : KIND_CHUNKS + kind);
  }

  /** How many chunks the main thread has taken back from a late helper so far. */
  stolenChunks(): number {
    return this.stolenEver;
  }

  /** Publishes a job of `chunks` chunks; returns its tag for NEXT. */
  private publish(kind: JobKind, args: readonly number[], chunks: number, chunkRows: number, helperScratch: number): number {
    const ctl = this.ctl;
    // NEXT holds chunk indices in 8 bits, HELPER_DONE one bit a chunk.
    if (!(chunks >= 0 && chunks <= 32)) throw new RangeError(`row workers: a job of ${chunks} chunks, expected 0 to 32`);
    this.seq = this.seq >= 0x7ffffffe ? 1 : this.seq + 1;
    const tag = (this.seq & 0x7fff) << 16;
    // Close claiming before rewriting the job: a helper still looking at the previous job must not
    // claim a "chunk" of it against the new chunk count and arguments.
    Atomics.store(ctl, NEXT, CLOSED);
    ctl[CHUNKS] = chunks;
    ctl[CHUNK_ROWS] = chunkRows;
    ctl[KIND] = kind;
    ctl.set(args, ARGS);
    ctl[ARGS + args.length] = helperScratch;
    Atomics.store(ctl, HELPER_DONE, 0);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, tag | (chunks << 8));
    Atomics.store(ctl, SEQ, this.seq);
    Atomics.notify(ctl, SEQ);
    return tag;
  }

  /** Claims and computes chunks on this thread until none is left; returns the bits of those it did. */
  private claimAll(tag: number, chunks: number, compute: (i0: number, i1: number) => void, m: number, chunkRows: number): number {
    const ctl = this.ctl;
    let mine = 0;
    for (;;) {
      // From the front; the helper claims from the back (row-helper.ts).
      const claim = Atomics.load(ctl, NEXT);
      const chunk = claim & 0xff;
      if ((claim & 0x7fff0000) !== tag || chunk >= ((claim >> 8) & 0xff)) break;
      if (Atomics.compareExchange(ctl, NEXT, claim, claim + 1) !== claim) continue;
      const i0 = chunk * chunkRows;
      compute(i0, Math.min(m, i0 + chunkRows));
      mine |= 1 << chunk;
      Atomics.add(ctl, DONE, 1);
    }
    return mine;
  }

  /**
   * C rows [0, m) += op(A)·B (B packed), shared with the helper in chunks of `chunkRows` rows.
   * `scratch` and `helperScratch` are the two threads' private kernel scratch areas.
   */
  gemmRows(transA: number, m: number, n: number, k: number, a: number, bp: number, c: number, chunkRows: number, scratch: number, helperScratch: number): void {
    const gemmRows = this.kernels.exports.gemmRows;
    this.runAll(JobKind.gemmRows, [transA, m, n, k, a, bp, c], chunkRows, helperScratch, (i0, i1) => gemmRows(transA, m, n, k, a, bp, c, i0, i1, scratch));
  }

  /**
   * Chunks [0, ⌈args[1] / chunkRows⌉) of a job, claimed by both threads, `compute(i0, i1)` on this
   * one; returns once all are done, waiting only for chunks the helper has claimed and is still
   * computing (no stealing: for work that must all land in shared memory). `beforeClaim` runs on
   * this thread once the job is published, before it claims chunks.
   *
   * With `giveUpMicros`, a helper that has not finished its chunks that long after this thread ran
   * out of them (descheduled: on a busy host that lasts a scheduler time slice, ~4 ms) is given up
   * on: runAll returns false, the job's results are not valid, and the shared workspace is left
   * alone (`hot()` is false) until the helper is out of the job. Otherwise it returns true.
   */
  runAll(
    kind: JobKind, args: readonly number[], chunkRows: number, helperScratch: number, compute: (i0: number, i1: number) => void,
    beforeClaim?: () => void, giveUpMicros = Infinity,
  ): boolean {
    const ctl = this.ctl;
    const m = args[1];
    const chunks = Math.ceil(m / chunkRows);
    const tag = this.publish(kind, args, chunks, chunkRows, helperScratch);
    beforeClaim?.();
    this.claimAll(tag, chunks, compute, m, chunkRows);
    // The helper's last chunk usually ends within microseconds: poll a little before blocking.
    const now = performance.now();
    const giveUp = now + giveUpMicros / 1000;
    for (const until = Math.min(giveUp, now + 0.2); Atomics.load(ctl, DONE) < chunks && performance.now() < until; );
    if (giveUpMicros === Infinity) {
      for (let done = Atomics.load(ctl, DONE); done < chunks; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done, 100);
    }
    for (let done = Atomics.load(ctl, DONE); done < chunks && performance.now() < giveUp; done = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, done, Math.max(0, giveUp - performance.now()));
    }
    Atomics.store(ctl, NEXT, CLOSED);
    this.checkFailed();
    if (Atomics.load(ctl, DONE) >= chunks) return true;
    if (Atomics.load(ctl, BUSY) === this.seq) this.tainted = this.seq;
    this.abandonedJobs++;
    return false;
  }

  /** The last job's chunk count and the bits of the chunks the helper finished in it (for tests). */
  lastJob(): { chunks: number; helperBits: number } {
    return { chunks: this.ctl[CHUNKS], helperBits: Atomics.load(this.ctl, HELPER_DONE) };
  }

  /** How many `runAll` jobs were given up on because the helper was late (for tests and benchmarks). */
  abandoned(): number {
    return this.abandonedJobs;
  }

  /**
   * Runs `job` on both threads: `beforeJoin` first (the caller's own work, e.g. another product in
   * private memory, while the helper starts on the chunks), then this thread claims chunks too.
   * Chunks the helper claimed but has not finished by the deadline are handed to `steal(i0, i1)`,
   * which must compute those rows elsewhere. Returns the bits of the stolen chunks (their rows in
   * shared memory are not valid).
   */
  runChunks(job: ChunkJob, steal: (i0: number, i1: number) => void, beforeJoin?: () => void): number {
    const ctl = this.ctl;
    const m = job.args[1];
    const chunks = Math.ceil(m / job.chunkRows);
    if (chunks > MAX_CHUNKS) throw new RangeError(`runChunks: ${chunks} chunks, at most ${MAX_CHUNKS}`);
    const tag = this.publish(job.kind, job.args, chunks, job.chunkRows, job.helperScratch);
    beforeJoin?.();
    const mine = this.claimAll(tag, chunks, this.chunkKernel(job), m, job.chunkRows);
    const all = chunks === 32 ? -1 : (1 << chunks) - 1;
    // Generous: stealing costs a recomputation, waiting only polls.
    const deadline = performance.now() + (3 * job.chunkMicros + 20) / 1000;
    while (((mine | Atomics.load(ctl, HELPER_DONE)) & all) !== all && performance.now() < deadline) {
      // Poll: the helper's chunk ends within microseconds unless it was descheduled.
    }
    Atomics.store(ctl, NEXT, CLOSED);
    const missing = all & ~(mine | Atomics.load(ctl, HELPER_DONE));
    if (missing !== 0) {
      for (let c = 0; c < chunks; c++) {
        if ((missing & (1 << c)) === 0) continue;
        steal(c * job.chunkRows, Math.min(m, (c + 1) * job.chunkRows));
        this.stolenEver++;
      }
      if (Atomics.load(ctl, BUSY) === this.seq) this.tainted = this.seq;
    }
    this.checkFailed();
    this.account(chunks, bitCount(Atomics.load(ctl, HELPER_DONE) & all & ~missing), bitCount(missing));
    return missing;
  }

  /** Adds a job to the current window and pauses mid-size jobs if the helper's share was too small. */
  private account(chunks: number, helper: number, stolen: number): void {
    const w = this.window;
    w.chunks += chunks;
    w.helper += helper;
    w.stolen += stolen;
    const late = w.stolen > MAX_LATE;
    if (!late && w.chunks < WINDOW) return;
    this.pausedUntil = late || w.helper < MIN_SHARE * w.chunks ? performance.now() + BACKOFF_MS : 0;
    this.window = { chunks: 0, helper: 0, stolen: 0 };
  }

  /** Whether mid-size jobs are paused now (for tests and benchmarks). */
  paused(): boolean {
    return this.pausedUntil !== 0 && performance.now() < this.pausedUntil;
  }

  /**
   * Offers mid-size jobs again now, with a fresh window, and waits up to `timeoutMs` for the helper
   * to be polling; whether it is (for tests and benchmarks).
   */
  async resume(timeoutMs = 1000): Promise<boolean> {
    this.pausedUntil = 0;
    this.window = { chunks: 0, helper: 0, stolen: 0 };
    const deadline = performance.now() + timeoutMs;
    while (!this.hot()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return true;
  }

  /** Makes the helper stall `ms` after claiming each chunk, as if descheduled (tests only). */
  stallHelperForTests(ms: number): void {
    Atomics.store(this.ctl, DELAY, ms);
  }

  /** The job's kernel on this thread for a row range (fixed arity: a spread call into wasm is slow). */
  private chunkKernel(job: ChunkJob): (i0: number, i1: number) => void {
    const x = this.kernels.exports;
    const a = job.args;
    const s = job.scratch;
    if (job.kind === JobKind.gemmUnpackedRows) return (i0, i1) => x.gemmUnpackedRows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], i0, i1, s);
    if (job.kind === JobKind.denseRows) return (i0, i1) => x.denseRows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], i0, i1, s);
    return (i0, i1) => x.gemmRows(a[0], a[1], a[2], a[3], a[4], a[5], a[6], i0, i1, s);
  }

  private checkFailed(): void {
    if (Atomics.load(this.ctl, FAILED) !== 0) throw new Error('gemm: the helper thread\'s WebAssembly kernel failed; set CRUCIBLE_THREADS=1 to run single-threaded');
  }
}

function bitCount(bits: number): number {
  let n = 0;
  for (let b = bits >>> 0; b !== 0; b &= b - 1) n++;
  return n;
}

/** Threads the kernels may use: min(2, CPUs), or `CRUCIBLE_THREADS` (1 turns the helper off). */
export function kernelThreads(): number {
  const fromEnv = Number(process.env.CRUCIBLE_THREADS);
  const wanted = Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
  return Math.min(2, wanted);
}
