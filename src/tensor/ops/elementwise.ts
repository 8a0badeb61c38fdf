/**
 * Elementwise primitive ops with their gradient rules. Binary ops broadcast: shapes must match, or
 * one side is [1, c] (row broadcast), [r, 1] (column broadcast) or [1, 1] (scalar); gradients are
 * summed back over broadcast axes. The loops live in ../kernels (binary.ts, tanh.ts); each unary op
 * below has its own loops, so no per-element callback sits in a hot path.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';
import { BinaryOp, binaryBackwardA, binaryBackwardB, binaryForward, binaryLayout } from '../kernels/binary.js';
import { tanhInto } from '../kernels/tanh.js';
import { logistic } from '../kernels/dense.js';

// ---------------------------------------------------------------------------------------------
// Binary elementwise ops with broadcasting

function binary(name: string, op: BinaryOp, a: Tensor, bIn: Tensor | number): Tensor {
  const b = typeof bIn === 'number' ? Tensor.scalar(bIn) : bIn;
  const rows = Math.max(a.rows, b.rows);
  const cols = Math.max(a.cols, b.cols);
  const fits = (t: Tensor): boolean => (t.rows === rows || t.rows === 1) && (t.cols === cols || t.cols === 1);
  if (!fits(a) || !fits(b)) {
    throw new RangeError(
      `${name}: shapes ${shapeOf(a)} and ${shapeOf(b)} do not broadcast (expected equal shapes, or one side [1, c], [r, 1] or [1, 1])`,
    );
  }
  const layout = binaryLayout(a.rows, a.cols, b.rows, b.cols, rows, cols);
  const out = new Tensor(rows, cols);
  binaryForward(op, layout, a.data, b.data, out.data);
  return recordOp(name, out, [a, b], (g) => {
    if (a.requiresGrad) binaryBackwardA(op, layout, a.data, b.data, out.data, g, a.ensureGrad());
    if (b.requiresGrad) binaryBackwardB(op, layout, a.data, b.data, out.data, g, b.ensureGrad());
  });
}

/** a + b (broadcasting). */
export function add(a: Tensor, b: Tensor | number): Tensor {
  return binary('add', BinaryOp.add, a, b);
}
/** a − b (broadcasting). */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  return binary('sub', BinaryOp.sub, a, b);
}
/** a · b elementwise (broadcasting). */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  return binary('mul', BinaryOp.mul, a, b);
}
/** a / b elementwise (broadcasting). */
export function div(a: Tensor, b: Tensor | number): Tensor {
  return binary('div', BinaryOp.div, a, b);
}
/** a^b elementwise, for a > 0 where b is not an integer. */
export function pow(a: Tensor, b: Tensor | number): Tensor {
  return binary('pow', BinaryOp.pow, a, b);
}
/** Elementwise maximum of a and b (gradient to the larger; ties to a). */
export function maximum(a: Tensor, b: Tensor | number): Tensor {
  return binary('maximum', BinaryOp.maximum, a, b);
}
/** Elementwise minimum of a and b (gradient to the smaller; ties to a). */
export function minimum(a: Tensor, b: Tensor | number): Tensor {
  return binary('minimum', BinaryOp.minimum, a, b);
}

// ---------------------------------------------------------------------------------------------
// Unary elementwise ops: each computes out from x, and its rule adds g·f'(x) (from x and y = out).

/** Records a unary op whose rule `grad(g, ga)` adds the input's gradient contribution into ga. */
function unary(name: string, a: Tensor, out: Tensor, grad: (g: Float64Array, ga: Float64Array) => void): Tensor {
  return recordOp(name, out, [a], (g) => grad(g, a.ensureGrad()));
}

/**
 * The buffer a unary rule adds the input's gradient into. When the input has no gradient yet and
 * the output's gradient `g` is about to be released (autodiff drops it once this rule has run,
 * unless retained), `g` itself becomes the input's gradient and the rule scales it in place: a
 * fresh array per op per step costs more than the arithmetic for large batches (page faults).
 */
function donatedGrad(a: Tensor, out: Tensor, g: Float64Array): Float64Array {
  if (a.grad === null && !out.retainsGrad && g.length === a.size) {
    a.grad = g;
    return g;
  }
  return a.ensureGrad();
}

/** −x. */
export function neg(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = -x[i];
  return unary('neg', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] -= g[i];
  });
}

/** e^x. */
export function exp(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.exp(x[i]);
  return unary('exp', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * y[i];
  });
}

/** Natural logarithm. */
export function log(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.log(x[i]);
  return unary('log', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += g[i] / x[i];
  });
}

/** Hyperbolic tangent (a table and the addition theorem, within ~2 ulp like Math.tanh; see kernels/tanh.ts). */
export function tanh(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  tanhInto(a.data, y);
  return recordOp('tanh', out, [a], (g) => {
    const ga = donatedGrad(a, out, g);
    if (ga === g) for (let i = 0; i < g.length; i++) g[i] *= 1 - y[i] * y[i];
    else for (let i = 0; i < g.length; i++) ga[i] += g[i] * (1 - y[i] * y[i]);
  });
}

/** Logistic sigmoid 1/(1 + e^−x), computed without overflow. */
export function sigmoid(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = logistic(x[i]);
  return unary('sigmoid', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * y[i] * (1 - y[i]);
  });
}

/** max(x, 0); the subgradient at 0 is 0. */
export function relu(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return unary('relu', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) if (x[i] > 0) ga[i] += g[i];
  });
}

/** log(1 + e^x), computed without overflow. */
export function softplus(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
  }
  return unary('softplus', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * logistic(x[i]);
  });
}

/** x·sigmoid(x) (a.k.a. swish). */
export function silu(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = x[i] * logistic(x[i]);
  return unary('silu', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) {
      const s = logistic(x[i]);
      ga[i] += g[i] * s * (1 + x[i] * (1 - s));
    }
  });
}

/** x². */
export function square(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = x[i] * x[i];
  return unary('square', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += 2 * x[i] * g[i];
  });
}

/** √x. */
export function sqrt(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.sqrt(x[i]);
  return unary('sqrt', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += (0.5 * g[i]) / y[i];
  });
}

/** |x|; the subgradient at 0 is 0. */
export function abs(a: Tensor): Tensor {
  const x = a.data;
  const out = new Tensor(a.rows, a.cols);
  const y = out.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.abs(x[i]);
  return unary('abs', a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) {
      const v = x[i];
      if (v > 0) ga[i] += g[i];
      else if (v < 0) ga[i] -= g[i];
    }
  });
}
