/**
 * Elementwise primitive ops with their gradient rules. Binary ops broadcast: shapes must match, or
 * one side is [1, c] (row broadcast), [r, 1] (column broadcast) or [1, 1] (scalar); gradients are
 * summed back over broadcast axes.
 */
import { Tensor, shapeOf } from '../tensor.js';
import { recordOp } from '../autodiff.js';

// ---------------------------------------------------------------------------------------------
// Binary elementwise ops with broadcasting

interface Broadcast {
  rows: number;
  cols: number;
  /** Row stride and column stride into each operand (0 where it broadcasts). */
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
}

function broadcast(op: string, a: Tensor, b: Tensor): Broadcast {
  const rows = Math.max(a.rows, b.rows);
  const cols = Math.max(a.cols, b.cols);
  const fits = (t: Tensor): boolean => (t.rows === rows || t.rows === 1) && (t.cols === cols || t.cols === 1);
  if (!fits(a) || !fits(b)) {
    throw new RangeError(
      `${op}: shapes ${shapeOf(a)} and ${shapeOf(b)} do not broadcast (expected equal shapes, or one side [1, c], [r, 1] or [1, 1])`,
    );
  }
  return {
    rows,
    cols,
    aRow: a.rows === 1 ? 0 : a.cols,
    aCol: a.cols === 1 ? 0 : 1,
    bRow: b.rows === 1 ? 0 : b.cols,
    bCol: b.cols === 1 ? 0 : 1,
  };
}

/**
 * Defines a broadcasting binary op from its value f(a, b) and partials da = ∂f/∂a, db = ∂f/∂b
 * (given a, b, and the output value).
 */
function binaryOp(
  name: string,
  f: (x: number, y: number) => number,
  dfdx: (x: number, y: number, out: number) => number,
  dfdy: (x: number, y: number, out: number) => number,
): (a: Tensor, b: Tensor | number) => Tensor {
  return (a: Tensor, bIn: Tensor | number): Tensor => {
    const b = typeof bIn === 'number' ? Tensor.scalar(bIn) : bIn;
    const s = broadcast(name, a, b);
    const out = new Tensor(s.rows, s.cols);
    const o = out.data;
    const ad = a.data;
    const bd = b.data;
    if (s.aRow === s.cols && s.aCol === 1 && s.bRow === s.cols && s.bCol === 1) {
      for (let i = 0; i < o.length; i++) o[i] = f(ad[i], bd[i]);
    } else {
      for (let i = 0; i < s.rows; i++) {
        for (let j = 0; j < s.cols; j++) o[i * s.cols + j] = f(ad[i * s.aRow + j * s.aCol], bd[i * s.bRow + j * s.bCol]);
      }
    }
    return recordOp(name, out, [a, b], (g) => {
      const ga = a.requiresGrad ? a.ensureGrad() : null;
      const gb = b.requiresGrad ? b.ensureGrad() : null;
      for (let i = 0; i < s.rows; i++) {
        for (let j = 0; j < s.cols; j++) {
          const k = i * s.cols + j;
          const ia = i * s.aRow + j * s.aCol;
          const ib = i * s.bRow + j * s.bCol;
          if (ga !== null) ga[ia] += g[k] * dfdx(ad[ia], bd[ib], o[k]);
          if (gb !== null) gb[ib] += g[k] * dfdy(ad[ia], bd[ib], o[k]);
        }
      }
    });
  };
}

/** a + b (broadcasting). */
export const add = binaryOp('add', (x, y) => x + y, () => 1, () => 1);
/** a − b (broadcasting). */
export const sub = binaryOp('sub', (x, y) => x - y, () => 1, () => -1);
/** a · b elementwise (broadcasting). */
export const mul = binaryOp('mul', (x, y) => x * y, (_x, y) => y, (x) => x);
/** a / b elementwise (broadcasting). */
export const div = binaryOp('div', (x, y) => x / y, (_x, y) => 1 / y, (x, y) => -x / (y * y));
/** a^b elementwise, for a > 0 where b is not an integer. */
export const pow = binaryOp(
  'pow',
  (x, y) => Math.pow(x, y),
  (x, y) => (y === 0 ? 0 : y * Math.pow(x, y - 1)),
  (x, _y, out) => (x > 0 ? out * Math.log(x) : 0),
);
/** Elementwise maximum of a and b (gradient to the larger; ties to a). */
export const maximum = binaryOp('maximum', (x, y) => (x >= y ? x : y), (x, y) => (x >= y ? 1 : 0), (x, y) => (x >= y ? 0 : 1));
/** Elementwise minimum of a and b (gradient to the smaller; ties to a). */
export const minimum = binaryOp('minimum', (x, y) => (x <= y ? x : y), (x, y) => (x <= y ? 1 : 0), (x, y) => (x <= y ? 0 : 1));

// ---------------------------------------------------------------------------------------------
// Unary elementwise ops: value and derivative (from the input x and the output y)

function unaryOp(name: string, f: (x: number) => number, dfdx: (x: number, y: number) => number): (a: Tensor) => Tensor {
  return (a: Tensor): Tensor => {
    const out = new Tensor(a.rows, a.cols);
    const o = out.data;
    const ad = a.data;
    for (let i = 0; i < o.length; i++) o[i] = f(ad[i]);
    return recordOp(name, out, [a], (g) => {
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * dfdx(ad[i], o[i]);
    });
  };
}

export const neg = unaryOp('neg', (x) => -x, () => -1);
export const exp = unaryOp('exp', Math.exp, (_x, y) => y);
export const log = unaryOp('log', Math.log, (x) => 1 / x);
export const tanh = unaryOp('tanh', Math.tanh, (_x, y) => 1 - y * y);
export const sigmoid = unaryOp('sigmoid', (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))), (_x, y) => y * (1 - y));
export const relu = unaryOp('relu', (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
/** log(1 + e^x), computed without overflow. */
export const softplus = unaryOp(
  'softplus',
  (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
);
/** x·sigmoid(x) (a.k.a. swish). */
export const silu = unaryOp(
  'silu',
  (x) => x / (1 + Math.exp(-x)),
  (x) => {
    const s = 1 / (1 + Math.exp(-x));
    return s * (1 + x * (1 - s));
  },
);
export const square = unaryOp('square', (x) => x * x, (x) => 2 * x);
export const sqrt = unaryOp('sqrt', Math.sqrt, (_x, y) => 0.5 / y);
/** |x|; the subgradient at 0 is 0. */
export const abs = unaryOp('abs', Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));

