/**
 * A 2-D float64 tensor (row-major), the one value type of Crucible's numeric core. Scalars are 1×1,
 * vectors are 1×n or n×1. A tensor that `requiresGrad` records how it was made (its tape node), so
 * `backward` can send gradients to everything it depends on.
 *
 * @example
 * const x = Tensor.from([[1, 2], [3, 4]]);
 * const w = Tensor.randn(2, 1, new Rng(1), { requiresGrad: true });
 */
import type { Rng } from './rng.js';
import { zeroedBuffer } from './grad-pool.js';
import type { ActivationLease } from './activation-slots.js';

/** How a tensor was computed: the op's name, its inputs, and the rule that sends the output's gradient back. */
export interface TapeNode {
  readonly op: string;
  readonly parents: readonly Tensor[];
  /** Adds the contribution of `outGrad` (the gradient of this node's output) into each parent's grad. */
  readonly backward: (outGrad: Float64Array) => void;
}

export interface TensorOptions {
  /** Whether gradients flow to this tensor. Default false. */
  requiresGrad?: boolean;
  /** A preallocated gradient buffer (e.g. a view into a model's flat gradient vector). */
  grad?: Float64Array;
}

export class Tensor {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
  /** Gradient of the last `backward` root with respect to this tensor; null until one arrives. */
  grad: Float64Array | null;
  requiresGrad: boolean;
  /** The tape node that produced this tensor; null for leaves (inputs, parameters). */
  node: TapeNode | null = null;
  /** Whether `backward` keeps this intermediate tensor's gradient instead of releasing it (see `retainGrad`). */
  retainsGrad = false;
  /** Set when `data` is a model's reused activation buffer (see activation-slots.ts); null otherwise. */
  lease: ActivationLease | null = null;

  constructor(rows: number, cols: number, data?: Float64Array, options: TensorOptions = {}) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new RangeError(`Tensor: shape must be non-negative integers, got [${rows}, ${cols}]`);
    }
    const n = rows * cols;
    if (data !== undefined && data.length !== n) {
      throw new RangeError(`Tensor: data has ${data.length} values but shape [${rows}, ${cols}] needs ${n}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(n);
    this.requiresGrad = options.requiresGrad ?? false;
    if (options.grad !== undefined && options.grad.length !== n) {
      throw new RangeError(`Tensor: grad buffer has ${options.grad.length} values, shape [${rows}, ${cols}] needs ${n}`);
    }
    this.grad = options.grad ?? null;
  }

  get size(): number {
    return this.data.length;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Value at row i, column j. */
  get(i: number, j = 0): number {
    return this.data[i * this.cols + j];
  }

  /** The single value of a 1×1 tensor. */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`Tensor.item: tensor has shape [${this.rows}, ${this.cols}], not [1, 1]`);
    return this.data[0];
  }

  /** The values as nested arrays, row by row. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** A leaf copy with no tape (values only). */
  detach(): Tensor {
    return new Tensor(this.rows, this.cols, this.data.slice());
  }

  /** The gradient buffer, allocated (zeroed) on first use. */
  ensureGrad(): Float64Array {
    if (this.grad === null) this.grad = zeroedBuffer(this.data.length);
    return this.grad;
  }

  /**
   * Keeps this intermediate tensor's gradient after `backward` (normally released once passed on),
   * e.g. to read the per-example output gradients δ of a layer.
   */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  zeroGrad(): void {
    if (this.grad !== null) this.grad.fill(0);
  }

  static zeros(rows: number, cols: number, options?: TensorOptions): Tensor {
    return new Tensor(rows, cols, undefined, options);
  }

  static full(rows: number, cols: number, value: number, options?: TensorOptions): Tensor {
    return new Tensor(rows, cols, new Float64Array(rows * cols).fill(value), options);
  }

  static scalar(value: number, options?: TensorOptions): Tensor {
    return new Tensor(1, 1, Float64Array.of(value), options);
  }

  /** From nested arrays (all rows the same length). A flat array gives a 1×n row. */
  static from(values: readonly (readonly number[])[] | readonly number[], options?: TensorOptions): Tensor {
    if (values.length > 0 && typeof values[0] === 'number') {
      return new Tensor(1, values.length, Float64Array.from(values as readonly number[]), options);
    }
    const rowsIn = values as readonly (readonly number[])[];
    const rows = rowsIn.length;
    const cols = rows === 0 ? 0 : rowsIn[0].length;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      if (rowsIn[i].length !== cols) {
        throw new RangeError(`Tensor.from: row ${i} has ${rowsIn[i].length} values, row 0 has ${cols}`);
      }
      data.set(rowsIn[i], i * cols);
    }
    return new Tensor(rows, cols, data, options);
  }

  /** Standard-normal values from a seeded generator, times `scale`. */
  static randn(rows: number, cols: number, rng: Rng, options: TensorOptions & { scale?: number } = {}): Tensor {
    const t = new Tensor(rows, cols, undefined, options);
    rng.fillNormal(t.data, 0, options.scale ?? 1);
    return t;
  }

  /** Uniform values in [lo, hi) from a seeded generator. */
  static rand(rows: number, cols: number, rng: Rng, options: TensorOptions & { lo?: number; hi?: number } = {}): Tensor {
    const t = new Tensor(rows, cols, undefined, options);
    rng.fillUniform(t.data, options.lo ?? 0, options.hi ?? 1);
    return t;
  }
}

/** Shape as text for error messages: "[3, 4]". */
export function shapeOf(t: Tensor): string {
  return `[${t.rows}, ${t.cols}]`;
}
