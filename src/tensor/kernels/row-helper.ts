/**
 * The layout of the control array shared with the GEMM helper thread, and the helper's source (see
 * row-workers.ts for the protocol).
 */
// Slots of the shared control array.
export const SEQ = 0; // job number (never 0); the helper wakes when it changes
export const NEXT = 1; // (job number & 0x7fff) << 16 | end of the unclaimed chunks << 8 | first unclaimed chunk
export const CLOSED = 0xffff; // a NEXT value with nothing to claim (first unclaimed 0xff, end 0xff)
export const DONE = 2; // chunks finished in the current job
export const READY = 3; // 1 once the helper has instantiated the kernels
export const CHUNKS = 4; // chunks in the current job
export const CHUNK_ROWS = 5;
export const KIND = 6; // which kernel the job's chunks run (JobKind)
export const HELPER_DONE = 7; // bit c: the helper finished chunk c of the current job
export const BUSY = 8; // the job number the helper is claiming in or computing for, 0 between jobs
export const SPINNING = 9; // 1 while the helper polls for the next job, 0 while it blocks
export const FAILED = 10; // set if the helper's kernel threw (a bug: out-of-bounds offsets)
export const HELPER_CHUNKS = 11; // chunks the helper has computed, ever (for tests)
export const DELAY = 12; // ms the helper stalls after claiming a chunk, as if descheduled (tests only; 0 otherwise)
export const ARGS = 13; // the kernel's arguments before the row range, then the helper's scratch
export const KIND_CHUNKS = 24; // + kind: chunks of that kind the helper has computed, ever (for tests)
export const SLOTS = 32;

/** How long the helper polls for a next job before it blocks. */
const SPIN_MS = 2;

/**
 * The kernels a job's chunks run: each is called as kernel(...args, i0, i1, scratch), except the MLP
 * pass' phases (asm/mlp.ts): mlpRows(desc, i0, i1, scratch) and mlpWeights(desc, chunk, scratch),
 * whose second argument (the row or chunk count) only bounds the range.
 */
export const JobKind = { gemmRows: 1, gemmUnpackedRows: 2, denseRows: 3, mlpRows: 4, mlpWeights: 5 } as const;
export type JobKind = (typeof JobKind)[keyof typeof JobKind];

// The helper's source: plain JS, run with `eval` so it works the same from src/ (tsx) and dist/.
export const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const ctl = new Int32Array(control);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
// Each kind's kernel with its arguments from the control array, then the row range and scratch
// (fixed arities: a spread call into wasm takes the slow generic path).
const a = (i) => ctl[${ARGS} + i];
const kernels = [
  null,
  (i0, i1) => k.gemmRows(a(0), a(1), a(2), a(3), a(4), a(5), a(6), i0, i1, a(7)),
  (i0, i1) => k.gemmUnpackedRows(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), i0, i1, a(9)),
  (i0, i1) => k.denseRows(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), i0, i1, a(8)),
  (i0, i1) => k.mlpRows(a(0), i0, i1, a(2)),
  (i0) => k.mlpWeights(a(0), i0, a(2)),
];
Atomics.store(ctl, ${READY}, 1);
let seen = 0;
for (;;) {
  // After a mid-size job, poll for the next one for a while; after a large product, block at once.
  let deadline = ctl[${KIND}] === ${JobKind.gemmRows} ? 0 : performance.now() + ${SPIN_MS};
  Atomics.store(ctl, ${SPINNING}, deadline === 0 ? 0 : 1);
  for (let polls = 0; Atomics.load(ctl, ${SEQ}) === seen; polls++) {
    if (deadline === 0 || ((polls & 255) === 255 && performance.now() > deadline)) {
      Atomics.store(ctl, ${SPINNING}, 0);
      Atomics.wait(ctl, ${SEQ}, seen);
      Atomics.store(ctl, ${SPINNING}, 1);
      deadline = performance.now() + ${SPIN_MS};
    }
  }
  seen = Atomics.load(ctl, ${SEQ});
  const tag = (seen & 0x7fff) << 16;
  Atomics.store(ctl, ${BUSY}, seen);
  // The MLP pass' rows read W panels of this thread's own, packed before its first chunk.
  let unpacked = ctl[${KIND}] === ${JobKind.mlpRows};
  for (;;) {
    // This thread claims from the back, the main thread from the front (row-workers.ts).
    const claim = Atomics.load(ctl, ${NEXT});
    const end = (claim >> 8) & 0xff;
    if ((claim & 0x7fff0000) !== tag || (claim & 0xff) >= end) break;
    if (Atomics.compareExchange(ctl, ${NEXT}, claim, claim - 256) !== claim) continue;
    const delay = ctl[${DELAY}];
    if (delay > 0) for (const until = performance.now() + delay; performance.now() < until; );
    // A claimed chunk means the job is unfinished, so its arguments are still in place (or, after a
    // stall, stolen: then nothing reads what this chunk writes).
    const chunk = end - 1, rows = ctl[${CHUNK_ROWS}];
    const i0 = chunk * rows, i1 = Math.min(ctl[${ARGS} + 1], i0 + rows);
    try {
      if (unpacked) {
        k.mlpPack(a(0));
        unpacked = false;
      }
      kernels[ctl[${KIND}]](i0, i1);
    } catch {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    Atomics.add(ctl, ${HELPER_CHUNKS}, 1);
    Atomics.add(ctl, ${KIND_CHUNKS} + ctl[${KIND}], 1);
    Atomics.or(ctl, ${HELPER_DONE}, 1 << chunk);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
  Atomics.store(ctl, ${BUSY}, 0);
}
`;
