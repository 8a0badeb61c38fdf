/**
 * A dense layer y = act(x·W + b) over a batch of rows, and its gradient, each as ONE pass over the
 * layer (tfjs-core's fusedMatMul does the same): the bias seeds the product, the activation runs in
 * place on the output, and the backward pass folds act′ into the output gradient, then makes the
 * bias gradient, xᵀ·gz and gz·Wᵀ from it.
 *
 * On the WebAssembly path (asm/dense.ts, asm/gemm.ts) the operands are copied into wasm memory once
 * per pass and every step runs there; otherwise (no .wasm, or a product under 4,096 multiply-adds)
 * TypeScript loops perform the same operations in the same order, so both paths give identical
 * bits — and the same bits as the unfused ops (linear, then tanh/relu/sigmoid).
 *
 * @example
 * const y = new Float64Array(2);
 * denseForward('tanh', { rows: 1, inputs: 1, outputs: 2 }, Float64Array.of(1), Float64Array.of(1, 2), Float64Array.of(0, 0), y);
 * // y = [tanh 1, tanh 2]
 */
import { WASM_MIN_MACS, gemmInMemory, gemmScratchBytes, kernelsFor } from './gemm.js';
import { denseBackwardThreaded, denseForwardThreaded } from './dense-threads.js';
import { gemmPortable } from './gemm-portable.js';
import { tanhScalar } from './tanh.js';
import { type WasmKernels, regions, wasmKernels } from './wasm.js';
import { type Resident, residentAlloc, residentValid } from './resident.js';

/** The activations a dense pass applies itself: those whose derivative is a function of the output. */
export const denseActivationCodes = { linear: 0, tanh: 1, relu: 2, sigmoid: 3 } as const;
export type DenseActivation = keyof typeof denseActivationCodes;

/** The sizes of one dense pass: x [rows, inputs], W [inputs, outputs], b [1, outputs]. */
export interface DenseShape {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

/** 1/(1 + e^−x) for one value, without overflow for large |x|. */
export function logistic(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

function onWasm(s: DenseShape): WasmKernels | null {
  const macs = s.rows * s.inputs * s.outputs;
  return macs >= WASM_MIN_MACS ? kernelsFor(macs) : null;
}

/**
 * A forward pass' operands as left in the main thread's wasm memory (see resident.ts): its input x,
 * weights W and output y (null for sigmoid, whose output is made in TypeScript).
 */
export interface DenseSnapshot {
  readonly x: Resident;
  readonly w: Resident;
  readonly y: Resident | null;
}

/**
 * y = act(x·W + b); y is fully overwritten. `input`, when given, is a resident copy of x (a previous
 * pass' output, still holding x's values). Returns where the pass left its operands, or null.
 */
export function denseForward(
  act: DenseActivation,
  s: DenseShape,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  y: Float64Array,
  input: Resident | null = null,
): DenseSnapshot | null {
  const threaded = denseForwardThreaded(act, s, x, w, b, y, input);
  return threaded === false ? denseForwardLocal(act, s, x, w, b, y, input) : threaded;
}

/** Regions of the ring for a pass' x, W and y (x reused from `input` if still valid), or null. */
function residentOperands(s: DenseShape, input: Resident | null): { x: Resident; w: Resident; y: Resident; xCopied: boolean } | null {
  const { rows, inputs, outputs } = s;
  const w = residentAlloc(inputs * outputs);
  const y = residentAlloc(rows * outputs);
  if (w === null || y === null) return null;
  // Checked after the allocations above, which may have gone round the ring past it.
  if (input !== null && input.values === rows * inputs && residentValid(input)) return { x: input, w, y, xCopied: false };
  const x = residentAlloc(rows * inputs);
  return x === null ? null : { x, w, y, xCopied: true };
}

/** `denseForward` on this thread alone (in its wasm memory, or in TypeScript). */
export function denseForwardLocal(
  act: DenseActivation,
  s: DenseShape,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array,
  y: Float64Array,
  input: Resident | null = null,
): DenseSnapshot | null {
  const { rows, inputs, outputs } = s;
  const kernels = onWasm(s);
  const at = kernels === null ? null : regions(kernels, [gemmScratchBytes(kernels, outputs, inputs), rows * inputs * 8, inputs * outputs * 8, outputs * 8, rows * outputs * 8]);
  if (kernels !== null && at !== null) {
    let [scratch, offX, offW, offB, offY] = at;
    // On the private memory the operands go to the ring (regions() above made sure it exists).
    const ring = kernels === wasmKernels ? residentOperands(s, input) : null;
    const heap = kernels.heap();
    if (ring !== null) {
      offX = ring.x.offset;
      offW = ring.w.offset;
      offY = ring.y.offset;
    }
    if (ring === null || ring.xCopied) heap.set(x, offX / 8);
    heap.set(w, offW / 8);
    heap.set(b, offB / 8);
    const k = kernels.exports;
    k.fillRows(offY, offB, rows, outputs);
    gemmInMemory(kernels, false, false, rows, outputs, inputs, offX, offW, offY, scratch);
    if (act === 'tanh' || act === 'relu') k.activate(denseActivationCodes[act], offY, rows * outputs);
    y.set(heap.subarray(offY / 8, offY / 8 + rows * outputs));
    if (act === 'sigmoid') for (let i = 0; i < y.length; i++) y[i] = logistic(y[i]);
    return ring === null ? null : { x: ring.x, w: ring.w, y: act === 'sigmoid' ? null : ring.y };
  }
  denseForwardPortable(act, s, x, w, b, y);
  return null;
}

/** `denseForward` in TypeScript alone (the path without the .wasm, and for tiny layers). */
export function denseForwardPortable(act: DenseActivation, s: DenseShape, x: Float64Array, w: Float64Array, b: Float64Array, y: Float64Array): void {
  const { rows, inputs, outputs } = s;
  for (let i = 0; i < rows; i++) y.set(b, i * outputs);
  gemmPortable(false, false, rows, outputs, inputs, x, w, 1, y);
  if (act === 'tanh') for (let i = 0; i < y.length; i++) y[i] = tanhScalar(y[i]);
  else if (act === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 ? y[i] : 0;
  else if (act === 'sigmoid') for (let i = 0; i < y.length; i++) y[i] = logistic(y[i]);
}

/** Where `denseBackward` adds each gradient (null: not wanted). */
export interface DenseGradients {
  weight: Float64Array | null;
  bias: Float64Array | null;
  input: Float64Array | null;
  /** Whether `input` holds no gradient yet (all zeros or unset): it is then overwritten, not read. */
  inputFresh: boolean;
}

// The TypeScript path's buffer for gz = g ⊙ act′, reused across calls.
let gzBuffer = new Float64Array(0);

/** gz = g ⊙ act′(y), act′ from the output y, in the forms the unfused rules use. */
function activationGrad(act: DenseActivation, g: Float64Array, y: Float64Array, gz: Float64Array): void {
  const n = g.length;
  if (act === 'linear') gz.set(g);
  else if (act === 'tanh') for (let i = 0; i < n; i++) gz[i] = g[i] * (1 - y[i] * y[i]);
  else if (act === 'relu') for (let i = 0; i < n; i++) gz[i] = y[i] > 0 ? 0 + g[i] : 0;
  else for (let i = 0; i < n; i++) gz[i] = 0 + g[i] * y[i] * (1 - y[i]);
}

/** What a dense backward pass reads: g = ∂L/∂y, the forward pass' output y, its input x and weights w. */
export interface DenseBackwardData {
  g: Float64Array;
  y: Float64Array;
  x: Float64Array;
  w: Float64Array;
}

/**
 * Adds the gradients of y = act(x·W + b), given g = ∂L/∂y, into `into`: ∂W += xᵀ·gz, ∂b += Σ_rows gz,
 * ∂x += gz·Wᵀ, with gz = g ⊙ act′. `y` is the forward pass' output (unused for 'linear').
 */
export function denseBackward(act: DenseActivation, s: DenseShape, data: DenseBackwardData, into: DenseGradients, snapshot: DenseSnapshot | null = null): void {
  const kernels = onWasm(s);
  const pass = kernels === null ? null : PrivateBackward.layout(kernels, s, kernels === wasmKernels ? snapshot : null);
  if (pass === null) {
    denseBackwardPortable(act, s, data, into);
    return;
  }
  pass.outputGradient(act, data.g, data.y, into);
  if (denseBackwardThreaded(s, data, into, pass)) return;
  pass.weight(data.x, into);
  if (into.input !== null) pass.inputRows(data.w, into, 0, s.rows);
}

/**
 * The steps of a dense backward pass in one wasm memory, laid out once: gz = g ⊙ act′ with the bias
 * gradient first, then the weight gradient, and the input gradient for any range of rows (the
 * two-thread path hands the latter to the helper and keeps the rest).
 */
export class PrivateBackward {
  private constructor(
    readonly kernels: WasmKernels,
    readonly s: DenseShape,
    /** Byte offsets: scratch, gz, y, x, W, ∂W, ∂b, ∂x. */
    readonly at: readonly number[],
    /** The forward pass' operands still in this memory's ring, if any (then y, x, W are read there). */
    readonly snapshot: DenseSnapshot | null,
  ) {}

  /** `snapshot` must be in `kernels`' memory (the private one). */
  static layout(kernels: WasmKernels, s: DenseShape, snapshot: DenseSnapshot | null = null): PrivateBackward | null {
    const { rows, inputs, outputs } = s;
    const scratchBytes = Math.max(gemmScratchBytes(kernels, outputs, rows), gemmScratchBytes(kernels, inputs, outputs));
    const at = regions(kernels, [scratchBytes, rows * outputs * 8, rows * outputs * 8, rows * inputs * 8, inputs * outputs * 8, inputs * outputs * 8, outputs * 8, rows * inputs * 8]);
    return at === null ? null : new PrivateBackward(kernels, s, at, snapshot);
  }

  /** Byte offset of gz (valid after `outputGradient`). */
  get gz(): number {
    return this.at[1];
  }

  /** gz = g ⊙ act′(y) in wasm memory, and ∂b += Σ_rows gz in the same pass when wanted. */
  outputGradient(act: DenseActivation, g: Float64Array, y: Float64Array, into: DenseGradients): void {
    const { rows, outputs } = this.s;
    const [, offG, copyY, , , , offGb] = this.at;
    const resident = residentOf(this.snapshot?.y);
    const offY = resident ?? copyY;
    const heap = this.kernels.heap();
    heap.set(g, offG / 8);
    if (act !== 'linear' && resident === null) heap.set(y, offY / 8);
    if (into.bias !== null) heap.set(into.bias, offGb / 8);
    this.kernels.exports.outputGradient(denseActivationCodes[act], offG, offY, rows, outputs, into.bias === null ? 0 : offGb);
    if (into.bias !== null) into.bias.set(heap.subarray(offGb / 8, offGb / 8 + outputs));
  }

  /** ∂W += xᵀ·gz, when wanted. */
  weight(x: Float64Array, into: DenseGradients): void {
    if (into.weight === null) return;
    const { rows, inputs, outputs } = this.s;
    const [scratch, offG, , copyX, , offGw] = this.at;
    const resident = residentOf(this.snapshot?.x);
    const offX = resident ?? copyX;
    const heap = this.kernels.heap();
    if (resident === null) heap.set(x, offX / 8);
    heap.set(into.weight, offGw / 8);
    gemmInMemory(this.kernels, true, false, inputs, outputs, rows, offX, offG, offGw, scratch);
    into.weight.set(heap.subarray(offGw / 8, offGw / 8 + inputs * outputs));
  }

  /** Rows [i0, i1) of ∂x (+)= gz·Wᵀ into `into.input` (which must be wanted). */
  inputRows(w: Float64Array, into: DenseGradients, i0: number, i1: number): void {
    const { inputs, outputs } = this.s;
    const [scratch, offG, , , copyW, , , offGx] = this.at;
    const resident = residentOf(this.snapshot?.w);
    const offW = resident ?? copyW;
    const gx = into.input!;
    const heap = this.kernels.heap();
    if (resident === null) heap.set(w, offW / 8);
    const from = offGx / 8 + i0 * inputs;
    const count = (i1 - i0) * inputs;
    if (into.inputFresh) heap.fill(0, from, from + count);
    else heap.set(gx.subarray(i0 * inputs, i1 * inputs), from);
    gemmInMemory(this.kernels, false, true, i1 - i0, inputs, outputs, offG + i0 * outputs * 8, offW, offGx + i0 * inputs * 8, scratch);
    gx.set(heap.subarray(from, from + count), i0 * inputs);
  }
}

/** Byte offset of a resident copy still valid, else null. */
function residentOf(r: Resident | null | undefined): number | null {
  return r !== null && r !== undefined && residentValid(r) ? r.offset : null;
}

/** `denseBackward` in TypeScript alone (the path without the .wasm, and for tiny layers). */
export function denseBackwardPortable(act: DenseActivation, s: DenseShape, data: DenseBackwardData, into: DenseGradients): void {
  const { rows, inputs, outputs } = s;
  const { g, y, x, w } = data;
  if (gzBuffer.length < g.length) gzBuffer = new Float64Array(g.length);
  const gz = gzBuffer.subarray(0, g.length);
  activationGrad(act, g, y, gz);
  const gb = into.bias;
  if (gb !== null) {
    for (let i = 0; i < rows; i++) {
      const row = i * outputs;
      for (let j = 0; j < outputs; j++) gb[j] += gz[row + j];
    }
  }
  if (into.weight !== null) gemmPortable(true, false, inputs, outputs, rows, x, gz, 1, into.weight);
  if (into.input !== null) gemmPortable(false, true, rows, inputs, outputs, gz, w, into.inputFresh ? 0 : 1, into.input);
}
