import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from '../nn/adam.js';
import { fit } from '../nn/fit.js';
import { createPlant } from '../federation/plant.js';
import type { FitTask } from '../federation/messages.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { exp, mul, neg, sliceCols } from '../tensor/ops/index.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { HybridModel } from './hybrid-model.js';
import { keepPlantParametersLocal } from './plant-parameters.js';
import { applyTransform, toRaw, transformValue, type ParameterTransform } from './transforms.js';

const decay = (residual = false) => new HybridModel({
  inputSize: 1, outputSize: 1,
  parameters: [
    { name: 'rate', initial: 0.5, transform: { kind: 'log' } },
    { name: 'efficiency', initial: 0.7, transform: { kind: 'bounded', lo: 0.4, hi: 0.95 }, scope: 'plant' },
  ],
  equations: (p, x) => mul(exp(mul(sliceCols(x, 0, 1), neg(p.rate))), p.efficiency),
  residual: residual ? { hidden: [4], inputMean: [1], inputStd: [0.5], outputScale: 0.1, seed: 3 } : undefined,
});

describe('parameter transforms', () => {
  const transforms: ParameterTransform[] = [
    { kind: 'identity' }, { kind: 'scaled', scale: 100 }, { kind: 'positive' }, { kind: 'log' }, { kind: 'bounded', lo: -2, hi: 5 },
  ];
  it('map raw values back to the physical value they came from, with exact gradients', () => {
    for (const t of transforms) {
      for (const v of [0.3, 1.7, 4.2]) assert.ok(Math.abs(transformValue(t, toRaw(t, v)) - v) < 1e-12, `${t.kind} at ${v}`);
      assertGradient((r) => applyTransform(t, r), [Tensor.from([[-1.3, 0.2, 2.1]])], { label: t.kind });
    }
  });

  it('reject initial values outside their range, naming the parameter', () => {
    assert.throws(() => toRaw({ kind: 'log' }, -1, "parameter 'k'"), /parameter 'k'.*> 0, got -1/);
    assert.throws(() => toRaw({ kind: 'bounded', lo: 0, hi: 1 }, 1, "parameter 'eta'"), /parameter 'eta'.*not strictly inside/);
    assert.throws(() => decay().setPhysicalValue('nope', 1), /no parameter 'nope' \(have rate, efficiency\)/);
  });
});

describe('HybridModel', () => {
  it('lays out physics then residual in one flat vector, with plant-specific indices', () => {
    const m = decay(true);
    assert.deepEqual(m.parameters.entries.map((e) => e.name), ['physics.rate', 'physics.efficiency', 'residual.layer0.weight', 'residual.layer0.bias', 'residual.layer1.weight', 'residual.layer1.bias']);
    assert.deepEqual([...m.indicesOf('plant')], [1]);
    assert.equal(m.indicesOf('shared').length, m.parameters.count - 1);
    const v = m.physicalValues();
    assert.ok(Math.abs(v.rate[0] - 0.5) < 1e-12 && Math.abs(v.efficiency[0] - 0.7) < 1e-12);
  });

  it('starts as the pure physics (zero residual) and has exact gradients through physics and residual', () => {
    const m = decay(true);
    const x = Tensor.from([[0.2], [1.1], [2.5]]);
    const y = m.forward(x);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(y.data[i] - 0.7 * Math.exp(-0.5 * x.data[i])) < 1e-12);
    // Move the zero-initialised last layer so every gradient path is exercised.
    new Rng(2).fillNormal(m.parameters.tensor('residual.layer1.weight').data, 0, 0.5);
    assertGradient(() => m.forward(x), m.parameters.entries.map((e) => e.tensor), { label: 'hybrid parameters' });
  });

  it('recovers a rate constant from noisy data', () => {
    const rng = new Rng(5);
    const x = new Tensor(80, 1);
    const y = new Tensor(80, 1);
    for (let i = 0; i < 80; i++) {
      x.data[i] = rng.uniform(0, 4);
      y.data[i] = 0.8 * Math.exp(-1.3 * x.data[i]) + rng.normal(0, 0.005);
    }
    const m = decay();
    fit(m, x, y, { epochs: 300, batchSize: 16, optimizer: new Adam(m.parameters, { lr: 0.03 }) });
    const v = m.physicalValues();
    assert.ok(Math.abs(v.rate[0] - 1.3) < 0.03 && Math.abs(v.efficiency[0] - 0.8) < 0.01, JSON.stringify(v));
  });
});

describe('keepPlantParametersLocal', () => {
  it('trains the plant-specific entries locally, sends zeros for them and restores them in the next round', async () => {
    const x = Tensor.from([[0.5], [1], [1.5], [2], [2.5], [3]]);
    const y = new Tensor(6, 1, x.data.map((t) => 0.9 * Math.exp(-t)));
    const model = () => decay();
    const local = keepPlantParametersLocal(model().indicesOf('plant'));
    const plant = createPlant({ plantId: 'p', data: { x, y }, model, validationFraction: 0, middleware: [local.middleware] });
    const global = model().parameters.get();
    const task = (round: number): FitTask => ({
      kind: 'fit', runId: 'r', round, arrays: { parameters: global },
      config: { epochs: 20, batchSize: 6, learningRate: 0.05, optimizer: 'adam', seed: round },
    });
    const first = await plant.handle(task(1));
    assert.ok(first.ok);
    assert.equal(first.arrays.update![1], 0, 'the efficiency update must not leave the plant');
    assert.notEqual(first.arrays.update![0], 0, 'the shared rate is federated');
    const kept = local.values()!;
    assert.notEqual(kept[0], global[1], 'the plant trained its efficiency');
    const second = await plant.handle(task(2));
    assert.ok(second.ok);
    assert.equal(second.arrays.update![1], 0);
    // Round 2 started from the plant's own efficiency, not the global copy: it moved on from `kept`.
    assert.deepEqual(local.personalize(global)[1], local.values()![0]);
    assert.ok(Math.abs(local.values()![0] - global[1]) > Math.abs(kept[0] - global[1]));
  });
});
