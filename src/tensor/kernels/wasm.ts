/**
 * Loads Crucible's WebAssembly SIMD kernels (asm/, built to build/kernels.wasm at install time) once,
 * synchronously, at import, over ONE shared linear memory that the GEMM worker thread also maps.
 *
 * Reading this build artifact is the one file read under tensor/: the kernels are part of the
 * package, compiled from the repository by `npm install` (no binary is committed). If the file is
 * missing, or `CRUCIBLE_WASM=0`, `wasmKernels` is null and every caller uses its TypeScript kernel,
 * which computes the same values (see gemm-portable.ts, tanh.ts).
 *
 * Memory layout is the callers' business: the first 64 KiB stay unused, and `workspace(bytes)`
 * hands out the region after it (grown on demand, never shrunk), valid until the next call.
 */
import { readFileSync } from 'node:fs';

/** The exports of build/kernels.wasm (pointers are byte offsets into the shared memory). */
export interface KernelExports {
  gemmScratchBytes(): number;
  packB(transB: number, k: number, n: number, b: number, bp: number): void;
  gemmRows(transA: number, m: number, n: number, k: number, a: number, bp: number, c: number, i0: number, i1: number, scratch: number): void;
  tanhArray(x: number, y: number, n: number): void;
  fillRows(y: number, b: number, m: number, n: number): void;
  /** kind: 1 tanh, 2 relu (others leave y alone). */
  activate(kind: number, y: number, n: number): void;
  /** kind: 0 linear, 1 tanh, 2 relu, 3 sigmoid. */
  activationGrad(kind: number, g: number, y: number, n: number): void;
  addColumnSums(g: number, m: number, n: number, out: number): void;
}

/** The little of the WebAssembly JS API used here (lib ES2022 without DOM does not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmKernels {
  /** The compiled module (a worker instantiates it again over the same memory). */
  readonly module: object;
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  /** Byte offset of the workspace; a region of at least `bytes` after it, or false if it cannot grow that far. */
  workspace(bytes: number): boolean;
  /** A float64 view of the whole memory (re-made after growth; do not keep across `workspace` calls). */
  heap(): Float64Array;
}

/** Start of the workspace: byte offsets below stay unused (the kernels have no static data). */
export const WORKSPACE_BASE = 65536;
const PAGE = 65536;
/** 2 GiB of 64 KiB pages: byte offsets stay below 2^31 and fit the worker's Int32 job slots. */
const MAX_PAGES = 32768;

function load(): WasmKernels | null {
  if (process.env.CRUCIBLE_WASM === '0') return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('../../../build/kernels.wasm', import.meta.url));
  } catch {
    return null; // not built (e.g. installed without devDependencies): TypeScript kernels
  }
  const module = new WebAssemblyApi.Module(bytes);
  const memory = new WebAssemblyApi.Memory({ initial: 2, maximum: MAX_PAGES, shared: true });
  const exports = new WebAssemblyApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  let view = new Float64Array(memory.buffer);
  return {
    module,
    memory,
    exports,
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

/** The loaded kernels, or null when running on the TypeScript fallbacks. */
export const wasmKernels: WasmKernels | null = load();
