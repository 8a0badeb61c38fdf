/**
 * Reverse-mode automatic differentiation over the tape that ops record on their outputs.
 *
 * `backward(loss)` visits the tape in reverse topological order and accumulates gradients into every
 * tensor that requires them; leaves (parameters, inputs marked `requiresGrad`) keep theirs, the
 * intermediate ones are released. Gradients accumulate (`+=`) so a caller zeroes them between steps.
 */
import { Tensor, shapeOf } from './tensor.js';

let recording = true;

/** Whether ops currently record tape nodes (false inside `noGrad`). */
export function isRecording(): boolean {
  return recording;
}

/** Runs `fn` without recording a tape: inference, parameter updates, evaluation. */
export function noGrad<T>(fn: () => T): T {
  const previous = recording;
  recording = false;
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

/**
 * Back-propagates from `root`. With no `seed`, `root` must be 1×1 and its gradient is 1; otherwise
 * `seed` is the gradient of some scalar with respect to `root` (a vector-Jacobian product).
 */
export function backward(root: Tensor, seed?: Float64Array | Tensor): void {
  if (!root.requiresGrad) {
    throw new TypeError(`backward: the root ${shapeOf(root)} does not depend on any tensor that requires a gradient`);
  }
  const seedData = seed instanceof Tensor ? seed.data : seed;
  if (seedData === undefined && root.size !== 1) {
    throw new RangeError(`backward: root has shape ${shapeOf(root)}; pass a seed gradient of that shape or reduce it to [1, 1]`);
  }
  if (seedData !== undefined && seedData.length !== root.size) {
    throw new RangeError(`backward: seed has ${seedData.length} values but root has shape ${shapeOf(root)}`);
  }
  const order = topologicalOrder(root);
  const rootGrad = root.ensureGrad();
  if (seedData === undefined) rootGrad[0] += 1;
  else for (let i = 0; i < rootGrad.length; i++) rootGrad[i] += seedData[i];
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    const node = t.node!;
    if (t.grad !== null) node.backward(t.grad);
    // Intermediate gradients are not needed once passed on: release them.
    t.grad = null;
  }
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
