/**
 * Reverse-mode automatic differentiation over the tape that ops record on their outputs.
 *
 * `backward(loss)` visits the tape in reverse topological order and accumulates gradients into every
 * tensor that requires them; leaves (parameters, inputs marked `requiresGrad`) keep theirs, the
 * intermediate ones are released (unless `retainGrad()` was called on them). Gradients accumulate
 * (`+=`) so a caller zeroes them between steps.
 *
 * On top of it: `vjp`, `grad`, `valueAndGrad` and `jacobian`, which differentiate a function with
 * respect to chosen inputs without touching the gradients of anything else (e.g. model parameters).
 */
import { Tensor, shapeOf } from './tensor.js';
import { releaseBuffer } from './grad-pool.js';

let recording = true;

/** Whether ops currently record tape nodes (false inside `noGrad`). */
export function isRecording(): boolean {
  return recording;
}

/** Runs `fn` without recording a tape: inference, parameter updates, evaluation. */
export function noGrad<T>(fn: () => T): T {
  return withRecording(false, fn);
}

/** Runs `fn` recording a tape even inside `noGrad` (for code that needs gradients internally). */
export function enableGrad<T>(fn: () => T): T {
  return withRecording(true, fn);
}

function withRecording<T>(on: boolean, fn: () => T): T {
  const previous = recording;
  recording = on;
  try {
    return fn();
  } finally {
    recording = previous;
  }
}

/**
 * Makes an op's output: records a tape node when any input requires a gradient.
 * Ops call this; users call ops.
 */
export function recordOp(
  op: string,
  out: Tensor,
  parents: readonly Tensor[],
  backward: (outGrad: Float64Array) => void,
): Tensor {
  if (recording) {
    for (const p of parents) {
      if (p.requiresGrad) {
        out.requiresGrad = true;
        out.node = { op, parents, backward };
        break;
      }
    }
  }
  return out;
}

export interface BackwardOptions {
  /**
   * Only these leaves receive gradients; every other leaf on the tape (e.g. a model's parameters)
   * keeps its gradient untouched, and rules skip the work for it where they can. Default: all leaves.
   */
  only?: readonly Tensor[];
}

/**
 * Back-propagates from `root`. With no `seed`, `root` must be 1×1 and its gradient is 1; otherwise
 * `seed` is the gradient of some scalar with respect to `root` (a vector-Jacobian product). A number
 * seeds every value of `root` with it.
 *
 * @example
 * const w = Tensor.from([[2]], { requiresGrad: true });
 * backward(sum(square(w)));   // w.grad = [4]
 */
export function backward(root: Tensor, seed?: Float64Array | Tensor | number, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new TypeError(`backward: the root ${shapeOf(root)} does not depend on any tensor that requires a gradient`);
  }
  const seedData = seed instanceof Tensor ? seed.data : seed;
  if (seedData === undefined && root.size !== 1) {
    throw new RangeError(`backward: root has shape ${shapeOf(root)}; pass a seed gradient of that shape or reduce it to [1, 1]`);
  }
  if (typeof seedData === 'object' && seedData.length !== root.size) {
    throw new RangeError(`backward: seed has ${seedData.length} values but root has shape ${shapeOf(root)}`);
  }
  const order = topologicalOrder(root);
  const frozen = options.only === undefined ? [] : freezeOtherLeaves(order, options.only);
  try {
    const rootGrad = root.ensureGrad();
    if (seedData === undefined) rootGrad[0] += 1;
    else if (typeof seedData === 'number') for (let i = 0; i < rootGrad.length; i++) rootGrad[i] += seedData;
    else for (let i = 0; i < rootGrad.length; i++) rootGrad[i] += seedData[i];
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const node = t.node!;
      const g = t.grad;
      if (g === null) continue;
      node.backward(g);
      // Intermediate gradients are not needed once passed on: release them for reuse, unless the
      // rule handed this very buffer on to a parent as its gradient.
      if (!t.retainsGrad) {
        t.grad = null;
        if (!node.parents.some((p) => p.grad === g)) releaseBuffer(g);
      }
    }
  } finally {
    for (const f of frozen) {
      f.tensor.requiresGrad = true;
      f.tensor.grad = f.grad;
    }
  }
}

interface FrozenLeaf {
  tensor: Tensor;
  grad: Float64Array | null;
}

/**
 * Marks every leaf on the tape that is not in `only` as not requiring a gradient and detaches its
 * gradient buffer for the duration of one backward pass: rules that check `requiresGrad` skip it, and
 * a rule that writes anyway writes into a scratch buffer that is dropped.
 */
function freezeOtherLeaves(order: readonly Tensor[], only: readonly Tensor[]): FrozenLeaf[] {
  const keep = new Set(only);
  const frozen: FrozenLeaf[] = [];
  const seen = new Set<Tensor>();
  for (const t of order) {
    for (const p of t.node!.parents) {
      if (p.node === null && p.requiresGrad && !keep.has(p) && !seen.has(p)) {
        seen.add(p);
        frozen.push({ tensor: p, grad: p.grad });
        p.requiresGrad = false;
        p.grad = null;
      }
    }
  }
  return frozen;
}

/** Tensors with tape nodes reachable from root, parents before children. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: unrolled solvers make tapes deep enough to overflow recursion.
  const stack: Array<{ t: Tensor; i: number }> = [];
  if (root.node !== null) {
    stack.push({ t: root, i: 0 });
    visited.add(root);
  }
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const parents = top.t.node!.parents;
    if (top.i < parents.length) {
      const p = parents[top.i++];
      if (p.node !== null && p.requiresGrad && !visited.has(p)) {
        visited.add(p);
        stack.push({ t: p, i: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Function transforms: gradients with respect to chosen inputs

/**
 * Runs `fn` on `inputs` made differentiable for the duration of the call, without disturbing their
 * own `requiresGrad`/`grad` or the gradients of any other leaf `fn` uses (parameters).
 */
function withInputs<T>(inputs: readonly Tensor[], fn: () => T): T {
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`autodiff: input ${i} is not a Tensor`);
    if (t.node !== null) {
      throw new TypeError(`autodiff: input ${i} ${shapeOf(t)} is the output of op '${t.node.op}'; pass leaf tensors (detach() it)`);
    }
  });
  if (new Set(inputs).size !== inputs.length) throw new TypeError('autodiff: the same tensor is passed as two inputs');
  const saved = inputs.map((t) => ({ requiresGrad: t.requiresGrad, grad: t.grad }));
  for (const t of inputs) {
    t.requiresGrad = true;
    t.grad = null;
  }
  try {
    return withRecording(true, fn);
  } finally {
    inputs.forEach((t, i) => {
      t.requiresGrad = saved[i].requiresGrad;
      t.grad = saved[i].grad;
    });
  }
}

/** The gradients `inputs` hold now as tensors (zeros where the output did not depend on one). */
function collectGrads(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((t) => new Tensor(t.rows, t.cols, t.grad ?? new Float64Array(t.size)));
}

/**
 * Vector-Jacobian product: the gradients of `sum(cotangent ⊙ fn(...inputs))` with respect to each
 * input, one tensor per input with its shape. Leaves that `fn` closes over (model parameters) are
 * left untouched, so this gives input gradients of a model without disturbing training.
 *
 * @example
 * const [gx] = vjp((x) => model.forward(x), [x], Tensor.full(x.rows, 1, 1)); // d(Σ outputs)/dx
 */
export function vjp(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], cotangent: Tensor | Float64Array): Tensor[] {
  return withInputs(inputs, () => {
    const out = fn(...inputs);
    const seed = cotangent instanceof Tensor ? cotangent.data : cotangent;
    if (seed.length !== out.size) {
      throw new RangeError(`vjp: cotangent has ${seed.length} values but fn returned shape ${shapeOf(out)}`);
    }
    if (out.requiresGrad) backward(out, seed, { only: inputs });
    return collectGrads(inputs);
  });
}

/**
 * The value of a scalar function and its gradients with respect to every argument.
 *
 * @example
 * const { value, grads } = valueAndGrad((a, b) => sum(mul(a, b)))(x, y); // grads = [y, x]
 */
export function valueAndGrad(fn: (...inputs: Tensor[]) => Tensor): (...inputs: Tensor[]) => { value: number; grads: Tensor[] } {
  return (...inputs: Tensor[]) =>
    withInputs(inputs, () => {
      const out = fn(...inputs);
      if (out.size !== 1) throw new RangeError(`grad: fn must return a [1, 1] tensor, got ${shapeOf(out)}`);
      if (out.requiresGrad) backward(out, undefined, { only: inputs });
      return { value: out.data[0], grads: collectGrads(inputs) };
    });
}

/**
 * Gradients of a scalar function with respect to every argument.
 *
 * @example
 * const [gx] = grad((x) => sum(square(x)))(Tensor.from([[1, 2]])); // [[2, 4]]
 */
export function grad(fn: (...inputs: Tensor[]) => Tensor): (...inputs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(fn);
  return (...inputs: Tensor[]) => vg(...inputs).grads;
}

/**
 * The full Jacobian of `fn` at `x`: a tensor [m, n] with J[i, j] = ∂out_i/∂x_j, where out (m values)
 * and x (n values) are read in row-major order. One forward pass, then one backward pass per output;
 * meant for small systems (Newton steps, sensitivities of a few setpoints).
 *
 * @example
 * const J = jacobian((x) => model.forward(x), Tensor.from([[0.1, 0.2]])); // [outputs, 2]
 */
export function jacobian(fn: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return withInputs([x], () => {
    const out = fn(x);
    const m = out.size;
    const n = x.size;
    const jac = new Tensor(m, n);
    if (!out.requiresGrad) return jac;
    const seed = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      seed[i] = 1;
      x.grad = null;
      backward(out, seed, { only: [x] });
      if (x.grad !== null) jac.data.set(x.grad, i * n);
      seed[i] = 0;
    }
    return jac;
  });
}
