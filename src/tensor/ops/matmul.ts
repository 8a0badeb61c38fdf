/** Matrix products with their gradient rules. */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { gemm } from '../kernels/gemm.js';

// ---------------------------------------------------------------------------------------------
// Matrix multiply

export interface MatmulOptions {
  /** Use aᵀ instead of a. Default false. */
  transA?: boolean;
  /** Use bᵀ instead of b. Default false. */
  transB?: boolean;
}

/** op(a) · op(b), with op = transpose where asked. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new RangeError(
      `matmul: inner dimensions differ: ${transA ? 'aᵀ' : 'a'} ${shapeOf(a)}${transA ? ' (transposed)' : ''} has ${k} columns, ` +
        `${transB ? 'bᵀ' : 'b'} ${shapeOf(b)}${transB ? ' (transposed)' : ''} has ${kb} rows`,
    );
  }
  const out = new Tensor(m, n);
  gemm(transA, transB, m, n, k, a.data, b.data, 0, out.data);
  return recordOp('matmul', out, [a, b], (g) => {
    // C = op(A) op(B):  dA = g op(B)ᵀ (transposed back if transA), dB = op(A)ᵀ g (likewise).
    if (a.requiresGrad) {
      const ga = a.ensureGrad();
      if (!transA) gemm(false, !transB, m, k, n, g, b.data, 1, ga);
      else gemm(transB, true, k, m, n, b.data, g, 1, ga);
    }
    if (b.requiresGrad) {
      const gb = b.ensureGrad();
      if (!transB) gemm(!transA, false, k, n, m, a.data, g, 1, gb);
      else gemm(true, transA, n, k, m, g, a.data, 1, gb);
    }
  });
}


/**
 * x·W + b for a batch of rows x [n, in], weights W [in, out], bias b [1, out], as ONE op: the bias
 * seeds the output and the product accumulates onto it, and the backward pass makes the two
 * products and the bias' column sums directly (no broadcast-add node, no intermediate tensor). Dense
 * layers use it.
 *
 * @example
 * const y = linear(x, dense.weight, dense.bias); // [n, out]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const n = x.rows;
  const inputs = weight.rows;
  const outputs = weight.cols;
  if (x.cols !== inputs) {
    throw new RangeError(`linear: input ${shapeOf(x)} has ${x.cols} columns, weight ${shapeOf(weight)} expects ${inputs}`);
  }
  if (bias.rows !== 1 || bias.cols !== outputs) {
    throw new RangeError(`linear: bias ${shapeOf(bias)} does not fit weight ${shapeOf(weight)}; expected [1, ${outputs}]`);
  }
  const out = new Tensor(n, outputs);
  const y = out.data;
  for (let i = 0; i < n; i++) y.set(bias.data, i * outputs);
  gemm(false, false, n, outputs, inputs, x.data, weight.data, 1, y);
  return recordOp('linear', out, [x, weight, bias], (g) => {
    if (bias.requiresGrad) {
      const gb = bias.ensureGrad();
      for (let i = 0; i < n; i++) {
        const row = i * outputs;
        for (let j = 0; j < outputs; j++) gb[j] += g[row + j];
      }
    }
    // dW = xᵀ·g, dx = g·Wᵀ
    if (weight.requiresGrad) gemm(true, false, inputs, outputs, n, x.data, g, 1, weight.ensureGrad());
    if (x.requiresGrad) {
      // A fresh (all-zero) gradient buffer need not be read back into the kernel: beta 0.
      const fresh = x.grad === null;
      gemm(false, true, n, inputs, outputs, g, weight.data, fresh ? 0 : 1, x.ensureGrad());
    }
  });
}
