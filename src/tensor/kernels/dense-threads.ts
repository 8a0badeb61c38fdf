/**
 * Dense layers of a few tens of µs (e.g. 64 rows × 64 × 64) on two threads. Too small for the
 * large-product path (waking a blocked helper takes longer than the work), big enough that half of
 * it is worth a few copies into shared memory, which cost ~5× a plain memcpy:
 * - forward: the rows of y = act(x·W + b) in chunks that both threads claim;
 * - backward: the helper starts on the rows of ∂x = gz·Wᵀ while this thread makes ∂W in its private
 *   memory, then joins on the rows of ∂x that are left.
 * Used only while the helper is polling for work (see row-workers.ts) and only when timing both
 * ways on the layer shows that two threads are faster (see thread-payoff.ts); every row is computed by
 * the same kernels in the same order as on one thread, so the bits do not depend on the split, and
 * rows the helper is late with are recomputed here in private memory.
 */
import { THREADS_MIN_MACS, sharedPool } from './gemm.js';
import type { DenseActivation, DenseBackwardData, DenseGradients, DenseShape, DenseSnapshot, PrivateBackward } from './dense.js';
import type { Resident } from './resident.js';
import { denseActivationCodes, denseForwardLocal, logistic } from './dense.js';
import { JobKind, MAX_CHUNKS, type RowWorkers } from './row-workers.js';
import { regions, sharedKernels } from './wasm.js';
import { ThreadPayoff, Trial } from './thread-payoff.js';

/** From this many multiply-adds a layer is shared with the helper while it is polling. */
const MIDSIZE_MIN_MACS = 1 << 15;
/** Conservative multiply-adds per µs of one thread, for the deadline after which a chunk is stolen. */
const MACS_PER_MICRO = 4000;

/** Whether the layer is mid-size (and its rows split into chunks of 4). */
function midsize(s: DenseShape, macs: number): boolean {
  return macs >= MIDSIZE_MIN_MACS && macs < THREADS_MIN_MACS && s.rows % 4 === 0 && s.rows >= 8;
}

/** The pool, if the helper is polling right now (asking wakes a blocked helper for later jobs). */
function hotPool(): RowWorkers | null {
  const pool = sharedPool();
  return pool !== null && pool.hot() ? pool : null;
}

/** Which way pays (see thread-payoff.ts). */
export const payoff = new ThreadPayoff();

/** Rows per chunk: a multiple of 4, about 8 chunks, at most MAX_CHUNKS. */
function chunkRowsFor(rows: number): number {
  return Math.max(4, Math.ceil(rows / 8 / 4) * 4, Math.ceil(rows / MAX_CHUNKS / 4) * 4);
}

/** Copies `y` rows [0, rows) of `cols` values from shared memory at byte `offset`, except stolen chunks. */
function copyRowsOut(heap: Float64Array, offset: number, y: Float64Array, rows: number, cols: number, chunkRows: number, stolen: number): void {
  if (stolen === 0) {
    y.set(heap.subarray(offset / 8, offset / 8 + rows * cols));
    return;
  }
  for (let c = 0; c * chunkRows < rows; c++) {
    if ((stolen & (1 << c)) !== 0) continue;
    const from = c * chunkRows * cols;
    const to = Math.min(rows, (c + 1) * chunkRows) * cols;
    y.set(heap.subarray(offset / 8 + from, offset / 8 + to), from);
  }
}

/**
 * y = act(x·W + b) on two threads; false (nothing done) when the layer or the moment does not suit,
 * else what `denseForwardLocal` returns when the timing trial ran it on one thread (null on two).
 */
export function denseForwardThreaded(
  act: DenseActivation,
  s: DenseShape,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  y: Float64Array,
  input: Resident | null = null,
): DenseSnapshot | null | false {
  const { rows, inputs, outputs } = s;
  const macs = rows * inputs * outputs;
  const kernels = sharedKernels;
  if (kernels === null || outputs % 4 !== 0 || !midsize(s, macs) || sharedPool() === null) return false;
  const trial = payoff.next();
  if (trial === Trial.one) return false;
  const t0 = performance.now();
  const pool = trial === Trial.timedOne ? null : hotPool();
  const at = pool === null ? null : regions(kernels, [128, 128, rows * inputs * 8, inputs * outputs * 8, outputs * 8, rows * outputs * 8]);
  if (pool === null || at === null) {
    if (trial === Trial.two) return false;
    const snapshot = denseForwardLocal(act, s, x, w, b, y, input);
    payoff.record((performance.now() - t0) * 1000);
    return snapshot;
  }
  const [tile, helperTile, offX, offW, offB, offY] = at;
  const heap = kernels.heap();
  heap.set(x, offX / 8);
  heap.set(w, offW / 8);
  heap.set(b, offB / 8);
  // Sigmoid is applied after, in TypeScript, on all rows alike.
  const inKernel: DenseActivation = act === 'sigmoid' ? 'linear' : act;
  const chunkRows = chunkRowsFor(rows);
  const stolen = pool.runChunks(
    {
      kind: JobKind.denseRows,
      args: [denseActivationCodes[inKernel], rows, outputs, inputs, offX, offW, offB, offY],
      chunkRows,
      scratch: tile,
      helperScratch: helperTile,
      chunkMicros: (macs * chunkRows) / rows / MACS_PER_MICRO,
    },
    (i0, i1) => denseForwardLocal(inKernel, { rows: i1 - i0, inputs, outputs }, x.subarray(i0 * inputs, i1 * inputs), w, b, y.subarray(i0 * outputs, i1 * outputs)),
  );
  copyRowsOut(kernels.heap(), offY, y, rows, outputs, chunkRows, stolen);
  if (act === 'sigmoid') for (let i = 0; i < y.length; i++) y[i] = logistic(y[i]);
  if (trial === Trial.timedTwo) payoff.record((performance.now() - t0) * 1000);
  return null;
}

/**
 * The rest of a dense backward pass after `pass.outputGradient` (gz and ∂b), on two threads: ∂x on
 * both, ∂W on this one. False (nothing done) when the layer or the moment does not suit.
 */
export function denseBackwardThreaded(s: DenseShape, data: DenseBackwardData, into: DenseGradients, pass: PrivateBackward): boolean {
  const { rows, inputs, outputs } = s;
  const macs = rows * inputs * outputs;
  const kernels = sharedKernels;
  const gx = into.input;
  if (kernels === null || gx === null || !midsize(s, macs) || sharedPool() === null) return false;
  const trial = payoff.next();
  if (trial === Trial.one) return false;
  const t0 = performance.now();
  const pool = trial === Trial.timedOne ? null : hotPool();
  const packedBytes = Math.ceil(inputs / 4) * 4 * outputs * 8;
  const at = pool === null ? null : regions(kernels, [128, 128, rows * outputs * 8, inputs * outputs * 8, packedBytes, rows * inputs * 8, inputs * 8]);
  if (pool === null || at === null) {
    if (trial === Trial.two) return false;
    pass.weight(data.x, into);
    pass.inputRows(data.w, into, 0, rows);
    payoff.record((performance.now() - t0) * 1000);
    return true;
  }
  const [tile, helperTile, offG, offW, offWp, offGx, offZero] = at;
  const heap = kernels.heap();
  const local = pass.kernels.heap();
  heap.set(local.subarray(pass.gz / 8, pass.gz / 8 + rows * outputs), offG / 8);
  heap.set(data.w, offW / 8);
  kernels.exports.packB(1, outputs, inputs, offW, offWp);
  if (into.inputFresh) {
    // Zeros by the kernel from one zeroed row: filling shared memory from JavaScript is ~5× slower.
    heap.fill(0, offZero / 8, offZero / 8 + inputs);
    kernels.exports.fillRows(offGx, offZero, rows, inputs);
  }
  else heap.set(gx, offGx / 8);
  const chunkRows = chunkRowsFor(rows);
  const stolen = pool.runChunks(
    {
      // ∂x = gz·Wᵀ + ∂x₀, op(B) = Wᵀ packed in panels of 4 columns (32 bytes a row, 32·outputs a panel).
      kind: JobKind.gemmUnpackedRows,
      args: [0, rows, inputs, outputs, offG, offWp, 32, 32 * outputs, offGx],
      chunkRows,
      scratch: tile,
      helperScratch: helperTile,
      chunkMicros: (macs * chunkRows) / rows / MACS_PER_MICRO,
    },
    (i0, i1) => pass.inputRows(data.w, into, i0, i1),
    () => pass.weight(data.x, into),
  );
  copyRowsOut(kernels.heap(), offGx, gx, rows, inputs, chunkRows, stolen);
  if (trial === Trial.timedTwo) payoff.record((performance.now() - t0) * 1000);
  return true;
}
