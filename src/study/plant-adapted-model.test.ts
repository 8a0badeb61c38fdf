import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { monomialExponents, PlantAdaptedModel } from './plant-adapted-model.js';

test('monomials of degree 1…d in n inputs number C(n + d, d) − 1', () => {
  assert.deepEqual(monomialExponents(2, 2), [[1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]);
  assert.equal(monomialExponents(2, 3).length, 9);
  assert.equal(monomialExponents(3, 3).length, 19);
});

test('a plant-adapted model has exact gradients in its inputs and parameters, and names its local entries', () => {
  for (const spec of [{ degree: 3 }, { degree: 2, hidden: [5], activation: 'tanh' as const }]) {
    const model = new PlantAdaptedModel({ inputSize: 2, outputSize: 3, seed: 4, ...spec });
    model.parameters.values.forEach((_, i, v) => (v[i] = Math.sin(1.7 * i + 0.3) * 0.5));
    const z = new Tensor(4, 2, Float64Array.of(0.3, -0.2, 1.1, 0.5, -0.7, 0.9, 0.05, -1.2), { requiresGrad: true });
    assertGradient((zi) => model.forward(zi), [z], { label: `inputs, ${JSON.stringify(spec)}` });
    assertGradient(() => model.forward(z.detach()), model.parameters.entries.map((e) => e.tensor), { label: `parameters, ${JSON.stringify(spec)}` });
    const local = model.indicesOf('plant');
    assert.equal(local.length, 2 + 3, 'input shift (2) and output offset (3)');
    assert.equal(local.length + model.indicesOf('shared').length, model.parameters.count);
  }
});
