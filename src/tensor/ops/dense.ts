/**
 * The dense layer as one primitive op: act(x·W + b) for a batch of rows x [n, in], weights W
 * [in, out], bias b [1, out], with act one of linear, tanh, relu, sigmoid (activations whose
 * derivative is a function of their output, so the op keeps only its output for the backward pass).
 * Forward and backward are each one pass over the layer (see kernels/dense.ts): no broadcast-add,
 * activation or intermediate node on the tape. It gives the same bits as the unfused ops
 * `tanh(add(matmul(x, W), b))` would on the same kernels.
 *
 * @example
 * const h = dense(x, layer.weight, layer.bias, 'tanh'); // [n, out]
 * const z = linear(x, layer.weight, layer.bias);        // dense(…, 'linear')
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { type DenseActivation, denseActivationCodes, denseBackward, denseForward } from '../kernels/dense.js';
import type { Resident } from '../kernels/resident.js';
import { type ActivationLease, leaseValid, releaseLease } from '../activation-slots.js';

export type { DenseActivation } from '../kernels/dense.js';

/** Names of the activations `dense` fuses, for callers that fall back to a separate op for others. */
export const denseActivations = Object.keys(denseActivationCodes) as DenseActivation[];

export interface DenseOptions {
  /**
   * A model's reused buffer for the output (see activation-slots.ts), for outputs no caller sees:
   * the op frees it once its backward rule has run, and refuses to back-propagate through it once
   * it has been reused. Default: a new buffer.
   */
  into?: ActivationLease;
}

/** act(x·W + b) as one op (see the module comment). */
export function dense(x: Tensor, weight: Tensor, bias: Tensor, activation: DenseActivation = 'linear', options: DenseOptions = {}): Tensor {
  return denseOp('dense', x, weight, bias, activation, options.into ?? null);
}

/** x·W + b as one op: the bias seeds the output and the product accumulates onto it. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  return denseOp('linear', x, weight, bias, 'linear', null);
}

/**
 * Where a dense op left its output in wasm memory, for outputs in a model's reused buffer (which no
 * caller sees or writes): the next layer reads its input there instead of copying it in.
 */
const residentOutputs = new WeakMap<Tensor, Resident>();

/** Throws if `t`'s values were overwritten by a later use of its reused buffer. */
function requireLive(op: string, t: Tensor, what: string): void {
  if (t.lease !== null && !leaseValid(t.lease)) {
    throw new TypeError(
      `${op}: the ${what} of this layer was reused by a later forward pass of the same model after a backward pass ` +
        'had gone through it; back-propagate through a forward pass before running the model again',
    );
  }
}

function denseOp(op: string, x: Tensor, weight: Tensor, bias: Tensor, act: DenseActivation, lease: ActivationLease | null): Tensor {
  const shape = { rows: x.rows, inputs: weight.rows, outputs: weight.cols };
  if (x.cols !== shape.inputs) {
    throw new RangeError(`${op}: input ${shapeOf(x)} has ${x.cols} columns, weight ${shapeOf(weight)} expects ${shape.inputs}`);
  }
  if (bias.rows !== 1 || bias.cols !== shape.outputs) {
    throw new RangeError(`${op}: bias ${shapeOf(bias)} does not fit weight ${shapeOf(weight)}; expected [1, ${shape.outputs}]`);
  }
  if (typeof act !== 'string' || !Object.hasOwn(denseActivationCodes, act)) {
    throw new RangeError(`${op}: unknown activation '${String(act)}': expected one of ${denseActivations.join(', ')}`);
  }
  if (lease !== null && lease.slot.data.length !== shape.rows * shape.outputs) {
    throw new RangeError(`${op}: the output buffer has ${lease.slot.data.length} values, the output [${shape.rows}, ${shape.outputs}] needs ${shape.rows * shape.outputs}`);
  }
  const out = new Tensor(shape.rows, shape.outputs, lease?.slot.data);
  out.lease = lease;
  const input = x.lease !== null && leaseValid(x.lease) ? (residentOutputs.get(x) ?? null) : null;
  const snapshot = denseForward(act, shape, x.data, weight.data, bias.data, out.data, input);
  if (lease !== null && snapshot !== null && snapshot.y !== null) residentOutputs.set(out, snapshot.y);
  return recordOp(op, out, [x, weight, bias], (g) => {
    requireLive(op, x, 'input');
    requireLive(op, out, 'output');
    // A fresh (all-zero) input gradient need not be read back into the kernel: it is overwritten.
    const inputFresh = x.grad === null;
    denseBackward(act, shape, { g, y: out.data, x: x.data, w: weight.data }, {
      weight: weight.requiresGrad ? weight.ensureGrad() : null,
      bias: bias.requiresGrad ? bias.ensureGrad() : null,
      input: x.requiresGrad ? x.ensureGrad() : null,
      inputFresh,
    }, snapshot);
    // The layer that reads this output (the next one) has run its rule already: the buffer is free.
    if (lease !== null) releaseLease(lease);
  });
}
