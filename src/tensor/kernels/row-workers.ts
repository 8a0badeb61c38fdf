/**
 * Splits a large GEMM's rows between the calling thread and ONE helper worker thread that maps the
 * same shared WebAssembly memory. Both claim chunks of rows from an atomic counter until none is
 * left, so a helper that is slow to wake (a busy machine) just takes fewer chunks, and the main
 * thread never waits for work nobody has started. Every C element is computed the same way whatever
 * thread computes it (see asm/gemm.ts), so results are bit-identical with and without the helper.
 *
 * The helper blocks in Atomics.wait between jobs (no spinning) and is unref'd, so it never keeps a
 * process alive. Threads are on when the machine has ≥ 2 CPUs, unless `CRUCIBLE_THREADS=1`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmKernels } from './wasm.js';

// Slots of the shared control array.
const SEQ = 0; // job number; the helper wakes when it changes
const NEXT = 1; // (job number & 0x7fff) << 16 | next unclaimed chunk
const CLOSED = 0xffff; // a NEXT value no chunk index reaches: nothing to claim
const DONE = 2; // chunks finished in the current job
const READY = 3; // 1 once the helper has instantiated the kernels
const CHUNKS = 4; // chunks in the current job
const CHUNK_ROWS = 5;
const ARGS = 6; // transA, m, n, k, a, bp, c, scratch(helper)
const HELPER_CHUNKS = 15; // chunks the helper has computed, ever (for tests)
const FAILED = 14; // set if the helper's kernel threw (a bug: out-of-bounds offsets)
const SLOTS = 16;

// The helper's source: plain JS, run with `eval` so it works the same from src/ (tsx) and dist/.
const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const ctl = new Int32Array(control);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(ctl, ${READY}, 1);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  const tag = (seen & 0x7fff) << 16;
  for (;;) {
    const claim = Atomics.load(ctl, ${NEXT});
    if ((claim & 0x7fff0000) !== tag || (claim & 0xffff) >= ctl[${CHUNKS}]) break;
    if (Atomics.compareExchange(ctl, ${NEXT}, claim, claim + 1) !== claim) continue;
    // A claimed chunk means the job is unfinished, so its arguments are still in place.
    const chunk = claim & 0xffff, rows = ctl[${CHUNK_ROWS}], m = ctl[${ARGS + 1}];
    const i0 = chunk * rows, i1 = Math.min(m, i0 + rows);
    try {
      k.gemmRows(ctl[${ARGS}], m, ctl[${ARGS + 2}], ctl[${ARGS + 3}], ctl[${ARGS + 4}], ctl[${ARGS + 5}], ctl[${ARGS + 6}], i0, i1, ctl[${ARGS + 7}]);
    } catch {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    Atomics.add(ctl, ${HELPER_CHUNKS}, 1);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}
`;

export class RowWorkers {
  private readonly ctl: Int32Array;
  private worker: Worker | null = null;
  private seq = 0;

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

  /** How many chunks of rows the helper thread has computed so far. */
  helperChunks(): number {
    return Atomics.load(this.ctl, HELPER_CHUNKS);
  }

  /**
   * C rows [0, m) += op(A)·B (B packed), shared with the helper in chunks of `chunkRows` rows.
   * `scratch` and `helperScratch` are the two threads' private kernel scratch areas.
   */
  gemmRows(transA: number, m: number, n: number, k: number, a: number, bp: number, c: number, chunkRows: number, scratch: number, helperScratch: number): void {
    const ctl = this.ctl;
    const chunks = Math.ceil(m / chunkRows);
    this.seq = (this.seq + 1) & 0x7fffffff;
    const tag = (this.seq & 0x7fff) << 16;
    // Close claiming before rewriting the job: a helper still looking at the previous job must not
    // claim a "chunk" of it against the new chunk count and arguments.
    Atomics.store(ctl, NEXT, CLOSED);
    ctl[CHUNKS] = chunks;
    ctl[CHUNK_ROWS] = chunkRows;
    ctl.set([transA, m, n, k, a, bp, c, helperScratch], ARGS);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, tag);
    Atomics.store(ctl, SEQ, this.seq);
    Atomics.notify(ctl, SEQ);
    const gemmRows = this.kernels.exports.gemmRows;
    for (;;) {
      const claim = Atomics.load(ctl, NEXT);
      if ((claim & 0xffff) >= chunks) break;
      if (Atomics.compareExchange(ctl, NEXT, claim, claim + 1) !== claim) continue;
      const i0 = (claim & 0xffff) * chunkRows;
      gemmRows(transA, m, n, k, a, bp, c, i0, Math.min(m, i0 + chunkRows), scratch);
      Atomics.add(ctl, DONE, 1);
    }
    // Wait only for chunks the helper has claimed and is still computing.
    for (let done = Atomics.load(ctl, DONE); done < chunks; done = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, done, 100);
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error('gemm: the helper thread\'s WebAssembly kernel failed; set CRUCIBLE_THREADS=1 to run single-threaded');
  }
}

/** Threads the kernels may use: min(2, CPUs), or `CRUCIBLE_THREADS` (1 turns the helper off). */
export function kernelThreads(): number {
  const fromEnv = Number(process.env.CRUCIBLE_THREADS);
  const wanted = Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
  return Math.min(2, wanted);
}
