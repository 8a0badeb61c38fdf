/**
 * Loads Crucible's WebAssembly SIMD kernels (asm/, built into build/ at install time) once,
 * synchronously, at import, as two instances of the same code:
 * - `wasmKernels`, over a private memory of the main thread: every kernel call runs here, and copying
 *   operands in and out is a plain memcpy;
 * - `sharedKernels`, over ONE shared memory that the GEMM helper thread maps too, for products large
 *   enough to split across two threads (copies into shared memory cost ~5× more, which only such
 *   products repay).
 *
 * Reading these build artifacts is the one file read under tensor/: the kernels are part of the
 * package, compiled from the repository by `npm install` (no binary is committed). If a file is
 * missing, or `CRUCIBLE_WASM=0`, its instance is null and callers use the TypeScript kernels, which
 * compute the same values (see gemm-portable.ts, tanh.ts, dense.ts).
 *
 * Memory layout is the callers' business: the first 64 KiB hold only the tanh table, the next 1 MiB
 * the ring of resident operands (resident.ts), and `workspace(bytes)` hands out the region after it
 * (grown on demand, never shrunk), valid until the next call.
 */
import { readFileSync } from 'node:fs';
import { TANH_TABLE, tanhTable } from './tanh-table.js';

/** The exports of build/kernels.wasm (pointers are byte offsets into the shared memory). */
export interface KernelExports {
  gemmScratchBytes(): number;
  packB(transB: number, k: number, n: number, b: number, bp: number): void;
  gemmRows(transA: number, m: number, n: number, k: number, a: number, bp: number, c: number, i0: number, i1: number, scratch: number): void;
  gemmUnpacked(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, c: number, scratch: number): void;
  gemmUnpackedRows(
    transA: number, m: number, n: number, k: number, a: number, b: number, bps: number, panelStep: number, c: number, i0: number, i1: number, tile: number,
  ): void;
  denseRows(act: number, m: number, n: number, k: number, x: number, w: number, b: number, y: number, i0: number, i1: number, tile: number): void;
  tanhArray(x: number, y: number, n: number): void;
  fillRows(y: number, b: number, m: number, n: number): void;
  /** kind: 1 tanh, 2 relu (others leave y alone). */
  activate(kind: number, y: number, n: number): void;
  /** gz = g ⊙ act′(y) in place (kind: 0 linear, 1 tanh, 2 relu, 3 sigmoid), and sums += Σ_rows gz unless sums is 0. */
  outputGradient(kind: number, g: number, y: number, m: number, n: number, sums: number): void;
  sgdUpdate(theta: number, g: number, n: number, lr: number): void;
  /** The MLP pass' two phases over a descriptor (asm/mlp.ts). */
  mlpRows(desc: number, i0: number, i1: number, tile: number): void;
  mlpWeights(desc: number, chunk: number, scratch: number): void;
  mlpPack(desc: number): void;
  /** Rows [p0, p1) of a row-major k × n matrix into packB's panels. */
  packRowsB(k: number, n: number, b: number, bp: number, p0: number, p1: number): void;
  /** Σ (ŷ − t)² over n values in order. */
  squaredErrorSum(yhat: number, t: number, n: number): number;
  /** SecAgg fixed-point words of n values (asm/fixed.ts); 1 if a weighted value is not finite. */
  encodeFixed(x: number, out: number, n: number, weight: number, clip: number, scale: number): number;
}

/** The little of the WebAssembly JS API used here (lib ES2022 without DOM does not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmKernels {
  /** The compiled module (a worker instantiates it again over the same memory, when shared). */
  readonly module: object;
  readonly memory: WasmMemory;
  /** Whether `memory` is shared (and the GEMM helper thread may work in it). */
  readonly shared: boolean;
  readonly exports: KernelExports;
  /** Byte offset of the workspace; a region of at least `bytes` after it, or false if it cannot grow that far. */
  workspace(bytes: number): boolean;
  /** A float64 view of the whole memory (re-made after growth; do not keep across `workspace` calls). */
  heap(): Float64Array;
}

/** Start of the ring of resident operands (resident.ts); the bytes below hold only the tanh table (the kernels have no static data). */
export const RING_BASE = 65536;
/** Size of the ring: 1 MiB. */
export const RING_BYTES = 1 << 20;
/** Start of the workspace, after the ring. */
export const WORKSPACE_BASE = RING_BASE + RING_BYTES;
const PAGE = 65536;
/** 2 GiB of 64 KiB pages: byte offsets stay below 2^31 and fit the worker's Int32 job slots. */
const MAX_PAGES = 32768;

function load(file: string, shared: boolean): WasmKernels | null {
  if (process.env.CRUCIBLE_WASM === '0') return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL(`../../../build/${file}`, import.meta.url));
  } catch {
    return null; // not built (e.g. installed without devDependencies): TypeScript kernels
  }
  const module = new WebAssemblyApi.Module(bytes);
  const memory = new WebAssemblyApi.Memory({ initial: 2, maximum: MAX_PAGES, shared });
  const exports = new WebAssemblyApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  let view = new Float64Array(memory.buffer);
  view.set(tanhTable, TANH_TABLE / 8);
  return {
    module,
    memory,
    exports,
    shared,
    workspace(bytes: number): boolean {
      const need = WORKSPACE_BASE + bytes;
      const have = memory.buffer.byteLength;
      if (need <= have) return true;
      const pages = Math.ceil((need - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return false;
      memory.grow(pages);
      view = new Float64Array(memory.buffer);
      return true;
    },
    heap(): Float64Array {
      return view;
    },
  };
}

/** The kernels over the main thread's private memory, or null when running on the TypeScript fallbacks. */
export const wasmKernels: WasmKernels | null = load('kernels.wasm', false);
/** The kernels over the memory shared with the GEMM helper thread, or null (then no helper either). */
export const sharedKernels: WasmKernels | null = load('kernels-shared.wasm', true);

/**
 * Byte offsets of consecutive regions of the given sizes (each rounded up to a cache line) from
 * WORKSPACE_BASE in `kernels`' memory, growing it if needed; null if it cannot grow that far.
 */
export function regions(kernels: WasmKernels, bytes: readonly number[]): number[] | null {
  const at: number[] = [];
  let end = WORKSPACE_BASE;
  for (const b of bytes) {
    at.push(end);
    end += Math.ceil(b / 64) * 64;
  }
  return kernels.workspace(end - WORKSPACE_BASE) ? at : null;
}
