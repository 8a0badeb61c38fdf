/**
 * Dense matrix multiply on raw row-major Float64Arrays: C = op(A)·op(B) + beta·C, op = identity or
 * transpose. Dispatches to the WebAssembly SIMD kernel (asm/gemm.ts) when it is built and the product
 * is big enough to be worth copying operands into wasm memory, splitting large products across two
 * threads; otherwise to the TypeScript kernel. All paths compute identical bits (same blocking and
 * operation order), so results do not depend on which one ran or on the thread count.
 *
 * Written by hand because no maintained npm package offers float64 GEMM for Node without native
 * binaries.
 *
 * @example
 * const c = new Float64Array(4);
 * gemm(false, false, 2, 2, 1, Float64Array.of(1, 2), Float64Array.of(3, 4), 0, c); // c = [3, 4, 6, 8]
 */
import { gemmPortable } from './gemm-portable.js';
import { RowWorkers, kernelThreads } from './row-workers.js';
import { WORKSPACE_BASE, type WasmKernels, sharedKernels, wasmKernels } from './wasm.js';

/** Below this many multiply-adds the copies into wasm memory cost more than SIMD saves. */
export const WASM_MIN_MACS = 4096;
/** Operands of at most this many values (32 KiB each) stay in L1 cache: they are multiplied in place, unpacked… */
const UNPACKED_MAX_VALUES = 4096;
/**
 * …if both together hold at most this many (48 KiB). Two 64 × 64 operands read in place are slower
 * than packed (64 × 64 × 64: ~28.5 µs against ~26.5 on one core): their 512-byte rows map a panel's
 * column into a few cache sets.
 */
const UNPACKED_MAX_PAIR = 6144;
/** From this many multiply-adds a product is split across two threads (waking the helper costs ~10–50 µs). */
export const THREADS_MIN_MACS = 1 << 20;

let workers: RowWorkers | undefined;
/** Read once: the environment does not change under a running process. */
const threadsAvailable = kernelThreads();

/**
 * C = op(A)·op(B) + beta·C.
 * @param m rows of op(A) and C
 * @param n columns of op(B) and C
 * @param k columns of op(A) = rows of op(B)
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  beta: 0 | 1,
  c: Float64Array,
): void {
  if (wasmKernels === null || m * n * k < WASM_MIN_MACS || !gemmWasm(transA, transB, m, n, k, a, b, beta, c)) {
    gemmPortable(transA, transB, m, n, k, a, b, beta, c);
  }
}

/** Rounds a byte count up to a cache line, the alignment of every region laid out in wasm memory. */
export const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** Bytes `gemmInMemory` needs for its scratch (two threads' packing areas and the packed op(B)). */
export function gemmScratchBytes(kernels: WasmKernels, n: number, k: number): number {
  return 2 * align(kernels.exports.gemmScratchBytes()) + align(Math.ceil(n / 4) * 4 * k * 8);
}

/**
 * The instance a product of m·n·k multiply-adds runs on: the shared one when it is large enough to
 * split across two threads (and a helper can exist), else the main thread's private one; null when
 * the kernels are not built.
 */
export function kernelsFor(macs: number, threads = threadsAvailable): WasmKernels | null {
  // While a late helper may still write into the shared workspace (see row-workers.ts), stay out.
  if (threads >= 2 && macs >= THREADS_MIN_MACS && sharedKernels !== null && (workers?.sharedFree() ?? true)) return sharedKernels;
  return wasmKernels;
}

/**
 * C += op(A)·op(B) on operands already in wasm memory (byte offsets), with `scratch` the start of a
 * region of `gemmScratchBytes(kernels, n, k)`; splits large products across two threads when the
 * memory is the shared one.
 */
export function gemmInMemory(
  kernels: WasmKernels,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  offA: number,
  offB: number,
  offC: number,
  scratch: number,
  threads = threadsAvailable,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  const x = kernels.exports;
  // gemmUnpacked packs a transposed B anyway (only op(A) is then read in place).
  const inL1 = m * k <= UNPACKED_MAX_VALUES && k * n <= UNPACKED_MAX_VALUES && (transB || m * k + k * n <= UNPACKED_MAX_PAIR);
  if (m % 4 === 0 && (transB || n % 4 === 0) && inL1 && m * n * k < THREADS_MIN_MACS) {
    x.gemmUnpacked(transA ? 1 : 0, transB ? 1 : 0, m, n, k, offA, offB, offC, scratch);
    return;
  }
  const scratchBytes = align(x.gemmScratchBytes());
  const offHelper = scratch + scratchBytes;
  const offBp = offHelper + scratchBytes;
  x.packB(transB ? 1 : 0, k, n, offB, offBp);
  if (kernels.shared && threads >= 2 && m >= 8 && m * n * k >= THREADS_MIN_MACS && helpers(kernels).ready()) {
    // ~8 chunks of rows (a multiple of the micro-kernel's 4) so a late-waking helper is no bottleneck.
    const chunkRows = Math.max(4, Math.ceil(m / 32) * 4);
    workers!.gemmRows(transA ? 1 : 0, m, n, k, offA, offBp, offC, chunkRows, scratch, offHelper);
  } else {
    x.gemmRows(transA ? 1 : 0, m, n, k, offA, offBp, offC, 0, m, scratch);
  }
}

/**
 * The WebAssembly path of `gemm`; false (nothing done) when the kernels are not built or the operands
 * do not fit in wasm memory. Exported for tests that compare it with the TypeScript kernel.
 */
export function gemmWasm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  beta: 0 | 1,
  c: Float64Array,
  options: { threads?: number } = {},
): boolean {
  const kernels = kernelsFor(m * n * k, options.threads);
  if (kernels === null) return false;
  // Layout after WORKSPACE_BASE: GEMM scratch, A, B, C.
  const offA = WORKSPACE_BASE + gemmScratchBytes(kernels, n, k);
  const offB = offA + align(m * k * 8);
  const offC = offB + align(k * n * 8);
  const end = offC + align(m * n * 8);
  if (!kernels.workspace(end - WORKSPACE_BASE)) return false;
  const heap = kernels.heap();
  heap.set(a.length === m * k ? a : a.subarray(0, m * k), offA / 8);
  heap.set(b.length === k * n ? b : b.subarray(0, k * n), offB / 8);
  if (beta === 0) heap.fill(0, offC / 8, offC / 8 + m * n);
  else heap.set(c.length === m * n ? c : c.subarray(0, m * n), offC / 8);
  gemmInMemory(kernels, transA, transB, m, n, k, offA, offB, offC, WORKSPACE_BASE, options.threads);
  c.set(heap.subarray(offC / 8, offC / 8 + m * n));
  return true;
}

/**
 * The helper-thread pool over the shared kernels, when two threads are allowed and the shared
 * build exists (started on first ask); null otherwise.
 */
export function sharedPool(): RowWorkers | null {
  return sharedKernels === null || threadsAvailable < 2 ? null : helpers(sharedKernels);
}

function helpers(kernels: WasmKernels): RowWorkers {
  if (workers === undefined) workers = new RowWorkers(kernels);
  return workers;
}

/**
 * Starts the GEMM helper thread now instead of at the first large product, and resolves once it is
 * ready (true), or false when there is no helper (no .wasm, one CPU, `CRUCIBLE_THREADS=1`) or it
 * did not come up within `timeoutMs`. Large products never wait for it; this is for benchmarks and
 * tests that want the two-thread path from the first call.
 */
export async function startGemmThreads(timeoutMs = 10_000): Promise<boolean> {
  if (sharedKernels === null || threadsAvailable < 2) return false;
  const pool = helpers(sharedKernels);
  const deadline = Date.now() + timeoutMs;
  while (!pool.ready()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** Chunks of rows the GEMM helper thread has computed since start (0 without one); for tests. */
export function gemmHelperChunks(): number {
  return workers?.helperChunks() ?? 0;
}
