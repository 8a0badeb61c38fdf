import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mlp } from '../../nn/mlp.js';
import { mse } from '../../nn/losses.js';
import { backward, noGrad } from '../autodiff.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import { dense, linear } from '../ops/index.js';
import { residentAlloc, residentValid } from './resident.js';
import { RING_BASE, RING_BYTES } from './wasm.js';

test('ring regions stay inside the ring, are valid until it has gone round past them, and large ones are refused', () => {
  // The first test of this file: nothing was handed out before, so `first` sits at the ring's start.
  const first = residentAlloc(1000)!;
  assert.equal(first.offset, RING_BASE);
  assert.ok(residentValid(first));
  let last = first;
  for (let used = 8000 + 24_000; used <= RING_BYTES; used += 24_000) {
    last = residentAlloc(3000)!;
    assert.ok(last.offset >= RING_BASE && last.offset + 3000 * 8 <= RING_BASE + RING_BYTES, `region at ${last.offset} leaves the ring`);
  }
  assert.ok(residentValid(first), 'less than the ring handed out since: still valid');
  residentAlloc(3000);
  assert.ok(!residentValid(first), 'the ring went round past it');
  assert.ok(residentValid(last));
  assert.equal(residentAlloc(RING_BYTES / 8), null);
});

const widths = [8, 64, 64, 4]; // every layer large enough for the wasm kernels
const rng = new Rng(5);
const x = Tensor.randn(64, 8, rng);
const y = Tensor.randn(64, 4, rng);

test('an MLP whose layers read their inputs from the ring computes the bits of separate dense ops that copy them in', () => {
  const model = new Mlp({ widths, activation: 'tanh', seed: 3 });
  const out = noGrad(() => model.forward(x));
  const [l0, l1, l2] = model.layers;
  const expected = noGrad(() => linear(dense(dense(x, l0.weight, l0.bias, 'tanh'), l1.weight, l1.bias, 'tanh'), l2.weight, l2.bias));
  assert.deepEqual(out.data, expected.data);
});

test('a backward pass gives the same gradients whether its operands are still in the ring or were overwritten there', () => {
  const gradients = (wrapRing: boolean): Float64Array => {
    const model = new Mlp({ widths, activation: 'tanh', seed: 3 });
    const loss = mse(model.forward(x), y);
    if (wrapRing) {
      // Other models' forward passes (~140 KB of the ring each) go round the 1 MiB ring past this tape's operands.
      const other = new Mlp({ widths, activation: 'tanh', seed: 9 });
      for (let i = 0; i < 12; i++) noGrad(() => other.forward(x));
    }
    backward(loss);
    return model.parameters.grads.slice();
  };
  const inRing = gradients(false);
  assert.ok(inRing.some((g) => g !== 0));
  assert.deepEqual(gradients(true), inRing);
});
