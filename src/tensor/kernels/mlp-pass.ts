/**
 * A whole MLP's mean-squared-error gradient in one pass through wasm memory (asm/mlp.ts), shared by
 * two threads with two joins per step. On the tape a 64-row MLP's step is ~8 products of 5–40 µs,
 * each shared with the helper on its own (dense-threads.ts), and every join costs: the step ran
 * ~1.1× faster on two threads than on one. Here the rows go through every layer's forward and
 * backward pass on either thread without meeting (row i's activations and gradients depend only on
 * row i), then the sums over rows (∂W, ∂b) are split by output rows and layers. Each thread packs
 * W into panels of its own: writing panels the other core had read cost the main thread 9–12 µs a
 * step of 8→64→64→4 instead of 2, and the whole step went from ~108 to ~99 µs.
 *
 * The same kernels make every value in the same order as the tape's dense ops (dense.ts), so the
 * loss and gradients are the tape's to the bit, on one thread or two (a test). The way it runs —
 * two threads or one — is decided by timing both (thread-payoff.ts), as for mid-size layers.
 *
 * @example
 * const loss = mlpMsePass(layers, x, y, 64); // gradients added into each layer's gradW, gradB
 */
import { type DenseActivation, denseActivationCodes } from './dense.js';
import { THREADS_MIN_MACS, align, sharedPool } from './gemm.js';
import { JobKind, MAX_CHUNKS, type RowWorkers } from './row-workers.js';
import { ThreadPayoff, Trial } from './thread-payoff.js';
import { type WasmKernels, regions, sharedKernels, wasmKernels } from './wasm.js';

/** The activations the pass applies (sigmoid's forward pass runs in TypeScript: not here). */
export const mlpPassActivations: readonly DenseActivation[] = ['linear', 'tanh', 'relu'];

/** One layer y = act(x·W + b) of the pass, and where its gradients are added. */
export interface MlpPassLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly act: DenseActivation;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
  readonly gradWeight: Float64Array;
  readonly gradBias: Float64Array;
}

// Must match asm/mlp.ts.
const HEAD = 5;
const LAYER = 13;
const CHUNK = 3;

/** Which way pays: one thread or two (see thread-payoff.ts). */
export const mlpPayoff = new ThreadPayoff();
let passes = 0;

/** How many fused passes have run in this process (for tests). */
export function mlpPasses(): number {
  return passes;
}

/**
 * Rows per chunk of the row phase: a multiple of 4, about 16 chunks. Against 8 chunks of 64 rows,
 * 16 gave the same best two-thread step (96–98 µs) and a shorter wait for the helper's last chunk
 * when its core is shared (mean 186 against 194 µs a step on a busy host, 263 against 280 µs with
 * a busy loop running beside).
 */
function rowChunk(rows: number): number {
  return Math.max(4, Math.ceil(rows / 16 / 4) * 4, Math.ceil(rows / MAX_CHUNKS / 4) * 4);
}

/**
 * The chunks of the weight phase: each layer's ∂W rows in pieces of a multiple of 4 rows sized so
 * that there are about 12 of them in all (≤ MAX_CHUNKS); a layer's first piece also sums its bias
 * gradient, from the packed gz that piece has just read (asm/mlp.ts).
 */
function weightChunks(layers: readonly MlpPassLayer[], rows: number): number[] {
  const macs = layers.reduce((s, l) => s + l.inputs * l.outputs * rows, 0);
  const target = Math.max(macs / 12, macs / (MAX_CHUNKS - 2 * layers.length));
  const chunks: number[] = [];
  layers.forEach((layer, l) => {
    const step = Math.max(4, Math.round(target / (layer.outputs * rows) / 4) * 4);
    for (let i0 = 0; i0 < layer.inputs; i0 += step) chunks.push(l, i0, Math.min(layer.inputs, i0 + step));
  });
  return chunks;
}

/** Byte offsets of a pass laid out in one memory. */
interface Layout {
  desc: number;
  /** The helper thread's copy of the descriptor: the same but for its own W panels. */
  helperDesc: number;
  scratch: number;
  helperScratch: number;
  x: number;
  t: number;
  /** Per layer: raw W, then the slots the descriptor names. */
  w: number[];
  y: number[];
  g: number[];
  wp: number[];
  wtp: number[];
  /** The helper's own W and Wᵀ panels. */
  helperWp: number[];
  helperWtp: number[];
  b: number[];
  gzp: number[];
  dw: number[];
  db: number[];
  chunks: number[];
}

/**
 * Layouts made so far, by memory and shape: making one took ~3 µs, 3 % of a step of 8→64→64→4.
 * Memory only grows, so a layout stays valid; what it holds is rewritten by every pass.
 */
const layouts = new Map<string, Layout>();
const MAX_LAYOUTS = 32;

function cachedLayout(kernels: WasmKernels, layers: readonly MlpPassLayer[], rows: number): Layout | null {
  let key = `${kernels.shared ? 's' : 'p'}${rows}`;
  for (const l of layers) key += `,${l.inputs}x${l.outputs}`;
  const known = layouts.get(key);
  if (known !== undefined) return known;
  const at = layout(kernels, layers, rows);
  if (at === null) return null;
  if (layouts.size >= MAX_LAYOUTS) layouts.clear();
  layouts.set(key, at);
  return at;
}

function layout(kernels: WasmKernels, layers: readonly MlpPassLayer[], rows: number): Layout | null {
  const chunks = weightChunks(layers, rows);
  const scratchBytes = align(kernels.exports.gemmScratchBytes());
  const descBytes = 8 * (HEAD + LAYER * layers.length + chunks.length);
  const sizes = [descBytes, descBytes, scratchBytes, scratchBytes, rows * layers[0].inputs * 8, rows * layers[layers.length - 1].outputs * 8];
  const panels = (n: number): number => Math.ceil(n / 4) * 4;
  for (const { inputs, outputs } of layers) {
    // W, y, g, packed W, packed Wᵀ, b, packed gz, ∂W, ∂b, the helper's packed W and Wᵀ
    sizes.push(inputs * outputs * 8, rows * outputs * 8, rows * outputs * 8, panels(outputs) * inputs * 8, panels(inputs) * outputs * 8);
    sizes.push(outputs * 8, panels(outputs) * rows * 8, inputs * outputs * 8, outputs * 8);
    sizes.push(panels(outputs) * inputs * 8, panels(inputs) * outputs * 8);
  }
  const at = regions(kernels, sizes);
  if (at === null) return null;
  const per = (f: number): number[] => layers.map((_, l) => at[6 + 11 * l + f]);
  return {
    desc: at[0], helperDesc: at[1], scratch: at[2], helperScratch: at[3], x: at[4], t: at[5],
    w: per(0), y: per(1), g: per(2), wp: per(3), wtp: per(4), b: per(5), gzp: per(6), dw: per(7), db: per(8),
    helperWp: per(9), helperWtp: per(10),
    chunks,
  };
}

/**
 * Adds the gradient of mean((ŷ − t)²) over the MLP `layers` for inputs x [rows, inputs₀] and
 * targets t [rows, outputs] into each layer's gradWeight and gradBias, and returns the loss; null
 * (nothing done) when the kernels are not built, rows is not a multiple of 4, or wasm memory cannot
 * hold the pass, or a layer's product has 2^20 multiply-adds or more (the tape's then). The bits
 * are those of the tape's dense ops and squaredError.
 */
export function mlpMsePass(layers: readonly MlpPassLayer[], x: Float64Array, t: Float64Array, rows: number): number | null {
  if (wasmKernels === null || rows < 4 || rows % 4 !== 0 || layers.length === 0) return null;
  // Large products are the tape's: it packs them and splits each across threads, which the pass'
  // in-place reads cannot match (32→256→256→8 on 512 rows: ~20 ms a step on the tape, ~24 ms here).
  if (layers.some((l) => rows * l.inputs * l.outputs >= THREADS_MIN_MACS)) return null;
  const pool = sharedPool();
  const trial = pool === null ? Trial.one : mlpPayoff.next();
  const t0 = performance.now();
  const two = trial !== Trial.one && trial !== Trial.timedOne && pool !== null && sharedKernels !== null && pool.hot();
  const kernels = two ? sharedKernels! : wasmKernels;
  const at = cachedLayout(kernels, layers, rows);
  if (at === null) return null;
  let loss = run(kernels, at, layers, x, t, rows, two ? pool : null);
  if (loss === null) {
    // The helper was late (descheduled): the step again on this thread alone, in private memory.
    const own = cachedLayout(wasmKernels, layers, rows);
    if (own === null) throw new Error('mlpMsePass: wasm memory cannot hold the pass on one thread after the helper thread was late');
    loss = run(wasmKernels, own, layers, x, t, rows, null)!;
  }
  passes++;
  if (trial === Trial.timedOne || trial === Trial.timedTwo) mlpPayoff.record((performance.now() - t0) * 1000);
  return loss;
}

/**
 * How long the main thread waits for the helper's last chunk of a phase before it gives the pass up
 * and computes the step alone: a chunk takes a few µs, a descheduled helper a time slice (~4 ms).
 * On a host with a busy loop beside, 4 % of two-thread steps of case (a) waited that long, and
 * those steps took half the time (mean 242–253 µs a step against a median of 134–140).
 */
const GIVE_UP_MICROS = 200;

/** The pass; null if the helper was late and nothing was added into the gradients. */
function run(kernels: WasmKernels, at: Layout, layers: readonly MlpPassLayer[], x: Float64Array, t: Float64Array, rows: number, pool: RowWorkers | null): number | null {
  const heap = kernels.heap();
  const k = kernels.exports;
  const last = layers.length - 1;
  const outputs = layers[last].outputs;
  const scale = 1 / (rows * outputs);
  heap.set(x.subarray(0, rows * layers[0].inputs), at.x / 8);
  heap.set(t.subarray(0, rows * outputs), at.t / 8);
  const d = at.desc / 8;
  heap[d] = layers.length;
  heap[d + 1] = rows;
  heap[d + 2] = at.t;
  heap[d + 3] = scale;
  heap[d + 4] = at.chunks.length / CHUNK;
  layers.forEach((layer, l) => {
    const { inputs, outputs: out } = layer;
    heap.set(layer.weight, at.w[l] / 8);
    heap.set(layer.bias, at.b[l] / 8);
    const record = [inputs, out, denseActivationCodes[layer.act], l === 0 ? at.x : at.y[l - 1], at.y[l], at.g[l], at.wp[l], at.wtp[l], at.b[l], at.gzp[l], at.dw[l], at.db[l], at.w[l]];
    heap.set(record, d + HEAD + LAYER * l);
  });
  heap.set(at.chunks, d + HEAD + LAYER * layers.length);
  const chunks = at.chunks.length / CHUNK;
  // What only this thread's rows and the sums need: on two threads, done once the helper has started.
  const ownPart = (): void => {
    layers.forEach((layer, l) => {
      heap.set(layer.gradWeight, at.dw[l] / 8);
      heap.set(layer.gradBias, at.db[l] / 8);
    });
    k.mlpPack(at.desc);
  };
  if (pool === null) {
    ownPart();
    k.mlpRows(at.desc, 0, rows, at.scratch);
    for (let c = 0; c < chunks; c++) k.mlpWeights(at.desc, c, at.scratch);
  } else {
    // The helper's descriptor names W panels of its own, which it packs before its first chunk.
    const hd = at.helperDesc / 8;
    heap.copyWithin(hd, d, d + HEAD + LAYER * layers.length + at.chunks.length);
    layers.forEach((_, l) => {
      heap[hd + HEAD + LAYER * l + 6] = at.helperWp[l];
      heap[hd + HEAD + LAYER * l + 7] = at.helperWtp[l];
    });
    const rowsDone = pool.runAll(JobKind.mlpRows, [at.helperDesc, rows], rowChunk(rows), at.helperScratch, (i0, i1) => k.mlpRows(at.desc, i0, i1, at.scratch), ownPart, GIVE_UP_MICROS);
    if (!rowsDone || !pool.runAll(JobKind.mlpWeights, [at.helperDesc, chunks], 1, at.helperScratch, (c) => k.mlpWeights(at.desc, c, at.scratch), undefined, GIVE_UP_MICROS)) return null;
  }
  // The squaredError op's value: the sum in order, times 1/size.
  const loss = k.squaredErrorSum(at.y[last], at.t, rows * outputs) * scale;
  const out = kernels.heap();
  layers.forEach((layer, l) => {
    layer.gradWeight.set(out.subarray(at.dw[l] / 8, at.dw[l] / 8 + layer.inputs * layer.outputs));
    layer.gradBias.set(out.subarray(at.db[l] / 8, at.db[l] / 8 + layer.outputs));
  });
  return loss;
}
