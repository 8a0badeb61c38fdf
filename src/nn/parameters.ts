/**
 * All parameters of a model live in ONE flat Float64Array (and their gradients in another); each
 * weight matrix is a Tensor whose data is a view into it. This flat vector is the unit federated
 * learning exchanges: `get`/`set` move a whole model without per-tensor copies.
 *
 * @example
 * const params = Parameters.allocate([{ name: 'w', rows: 2, cols: 3 }, { name: 'b', rows: 1, cols: 3 }]);
 * params.tensor('w').data === params.values.subarray(0, 6) // same memory
 */
import { Tensor } from '../tensor/tensor.js';

export interface ParameterShape {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
}

export interface ParameterEntry extends ParameterShape {
  readonly offset: number;
  readonly tensor: Tensor;
}

export class Parameters {
  /** The flat parameter vector (views of it back every parameter tensor). */
  readonly values: Float64Array;
  /** The flat gradient vector, same layout as `values`. */
  readonly grads: Float64Array;
  readonly entries: readonly ParameterEntry[];
  private readonly byName: Map<string, ParameterEntry>;

  private constructor(values: Float64Array, grads: Float64Array, entries: ParameterEntry[]) {
    this.values = values;
    this.grads = grads;
    this.entries = entries;
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** Lays out the given shapes one after another in a fresh zeroed buffer. */
  static allocate(shapes: readonly ParameterShape[]): Parameters {
    const total = shapes.reduce((n, s) => n + s.rows * s.cols, 0);
    const values = new Float64Array(total);
    const grads = new Float64Array(total);
    const entries: ParameterEntry[] = [];
    const seen = new Set<string>();
    let offset = 0;
    for (const s of shapes) {
      if (seen.has(s.name)) throw new RangeError(`Parameters.allocate: duplicate parameter name '${s.name}'`);
      seen.add(s.name);
      const n = s.rows * s.cols;
      const tensor = new Tensor(s.rows, s.cols, values.subarray(offset, offset + n), {
        requiresGrad: true,
        grad: grads.subarray(offset, offset + n),
      });
      entries.push({ ...s, offset, tensor });
      offset += n;
    }
    return new Parameters(values, grads, entries);
  }

  /** Number of scalar parameters. */
  get count(): number {
    return this.values.length;
  }

  /** The parameter tensor called `name`. */
  tensor(name: string): Tensor {
    const e = this.byName.get(name);
    if (e === undefined) {
      throw new RangeError(`Parameters: no parameter '${name}' (have ${[...this.byName.keys()].join(', ')})`);
    }
    return e.tensor;
  }

  /** A copy of the flat parameter vector. */
  get(): Float64Array {
    return this.values.slice();
  }

  /** Overwrites all parameters from a flat vector of the same length. */
  set(flat: Float64Array | readonly number[]): void {
    if (flat.length !== this.values.length) {
      throw new RangeError(`Parameters.set: got ${flat.length} values, model has ${this.values.length} parameters`);
    }
    this.values.set(flat);
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }
}
