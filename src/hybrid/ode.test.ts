import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { vjp } from '../tensor/autodiff.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { concat, mul, neg, sliceCols, sub } from '../tensor/ops/index.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { integrateRk4, integrateRk4WithSensitivities, type OdeSystem } from './ode.js';

/**
 * A predator–prey system with a per-row, per-step input u (harvest): θ = (a, b, c, d),
 *   dx/dt = a x − b x y − u x,   dy/dt = c x y − d y.
 */
const steps = 12;
const rows = 3;
const harvest = (row: number, step: number, fraction: number): number => 0.1 * (row + 1) + 0.05 * Math.sin(step + fraction);

const predatorPrey: OdeSystem = {
  stateSize: 2,
  parameterSize: 4,
  evaluate(row, { step, fraction }, [x, y], [a, b, c, d], { f, dfdy, dfdtheta }) {
    const u = harvest(row, step, fraction);
    f[0] = a * x - b * x * y - u * x;
    f[1] = c * x * y - d * y;
    dfdy.set([a - b * y - u, -b * x, c * y, c * x - d]);
    dfdtheta.set([x, -x * y, 0, 0, 0, 0, x * y, -y]);
  },
};

/** The same system with ops, for `integrateRk4` (columns x, y of a [n, 2] state). */
function predatorPreyOnTape(theta: Tensor, initial: Tensor, stepSize: number): Tensor {
  const [a, b, c, d] = [0, 1, 2, 3].map((j) => sliceCols(theta, j, j + 1));
  const observed: Tensor[] = [];
  integrateRk4(
    ({ step, fraction }, [x, y]) => {
      const u = Tensor.from(Array.from({ length: rows }, (_, r) => [harvest(r, step, fraction)]));
      const xy = mul(x, y);
      return [sub(sub(mul(a, x), mul(b, xy)), mul(u, x)), sub(mul(c, xy), mul(d, y))];
    },
    [sliceCols(initial, 0, 1), sliceCols(initial, 1, 2)],
    { steps, stepSize, onStep: (step, state) => { if ((step + 1) % 4 === 0) observed.push(...state); } },
  );
  return concat(observed, 1);
}

describe('RK4 integration', () => {
  it('unrolled on the tape: fourth-order accurate, with exact gradients of the discrete solution', () => {
    const k = Tensor.scalar(1.3, { requiresGrad: true });
    const errors = [10, 20].map((n) => {
      const [y] = integrateRk4((_at, [v]) => [mul(neg(k), v)], [Tensor.scalar(1)], { steps: n, stepSize: 1 / n });
      return Math.abs(y.item() - Math.exp(-1.3));
    });
    // Halving the step divides the error by ≈ 2⁴.
    assert.ok(errors[0] / errors[1] > 14 && errors[0] / errors[1] < 18, `error ratio ${errors[0] / errors[1]}`);
    assertGradient((kk) => integrateRk4((_at, [v]) => [mul(neg(kk), v)], [Tensor.scalar(1)], { steps: 5, stepSize: 0.2 })[0], [k], { label: 'RK4 on the tape' });
  });

  it('as one op with forward sensitivities: the same states and gradients as the unrolled tape, and finite differences agree', () => {
    const theta = Tensor.from([[1.1, 0.4, 0.3, 0.9]], { requiresGrad: true });
    const initial = Tensor.from([[2, 1], [1.5, 0.8], [3, 0.5]], { requiresGrad: true });
    const h = 0.1;
    const fused = integrateRk4WithSensitivities(predatorPrey, theta, initial, { steps, stepSize: h, observeEvery: 4 });
    const tape = predatorPreyOnTape(theta, initial, h);
    assert.equal(fused.cols, 6);
    let largest = 0;
    for (let i = 0; i < fused.size; i++) largest = Math.max(largest, Math.abs(fused.data[i] - tape.data[i]));
    assert.ok(largest < 1e-13, `states differ by ${largest}`);

    const cotangent = Tensor.randn(rows, 6, new Rng(3));
    const [gThetaFused, gInitialFused] = vjp((t, y0) => integrateRk4WithSensitivities(predatorPrey, t, y0, { steps, stepSize: h, observeEvery: 4 }), [theta, initial], cotangent);
    const [gThetaTape, gInitialTape] = vjp((t, y0) => predatorPreyOnTape(t, y0, h), [theta, initial], cotangent);
    for (const [a, b, what] of [[gThetaFused, gThetaTape, 'θ'], [gInitialFused, gInitialTape, 'initial state']] as const) {
      for (let i = 0; i < a.size; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) <= 1e-11 * (1 + Math.abs(b.data[i])), `gradient of ${what}[${i}]: ${a.data[i]} vs ${b.data[i]}`);
    }
    assertGradient((t, y0) => integrateRk4WithSensitivities(predatorPrey, t, y0, { steps, stepSize: Float64Array.of(0.1, 0.08, 0.12), observeEvery: 6 }), [theta, initial], { label: 'RK4 with sensitivities' });
  });

  it('names what is wrong with its arguments', () => {
    const theta = Tensor.from([[1, 1, 1, 1]]);
    assert.throws(() => integrateRk4WithSensitivities(predatorPrey, theta, Tensor.from([[1, 1]]), { steps: 10, stepSize: 0.1, observeEvery: 3 }), /observeEvery must divide steps \(10\), got 3/);
    assert.throws(() => integrateRk4WithSensitivities(predatorPrey, Tensor.from([[1, 1]]), Tensor.from([[1, 1]]), { steps: 2, stepSize: 0.1 }), /theta is \[1, 2\], the system has 4 parameters/);
    assert.throws(() => integrateRk4((_at, [y]) => [y, y], [Tensor.scalar(1)], { steps: 1, stepSize: 0.1 }), /returned 2 derivatives for 1 state variables/);
  });
});
