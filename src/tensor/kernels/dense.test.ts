import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { type DenseActivation, denseActivationCodes, denseBackward, denseBackwardPortable, denseForward, denseForwardPortable } from './dense.js';
import { wasmKernels } from './wasm.js';

const rng = new Rng(41);
const random = (n: number): Float64Array => {
  const v = new Float64Array(n);
  rng.fillNormal(v, 0, 1);
  return v;
};

test(
  'the dense pass and its gradient give the same bits on WebAssembly as in TypeScript, for every activation',
  { skip: process.env.CRUCIBLE_WASM === '0' ? 'CRUCIBLE_WASM=0: the TypeScript kernels were asked for' : false },
  () => {
    assert.ok(wasmKernels !== null, 'build/kernels.wasm is not loaded: run `npm run build:kernels`');
    // In L1 and unpacked (64×12·16), with edge tiles (40×33·17), past one KC block (32×300·8).
    for (const [rows, inputs, outputs] of [[64, 12, 16], [40, 33, 17], [32, 300, 8]]) {
      const s = { rows, inputs, outputs };
      const x = random(rows * inputs);
      const w = random(inputs * outputs);
      const b = random(outputs);
      const g = random(rows * outputs);
      for (const act of Object.keys(denseActivationCodes) as DenseActivation[]) {
        const where = `${act} [${rows}, ${inputs}]·[${inputs}, ${outputs}]`;
        const y = new Float64Array(rows * outputs);
        const yPortable = new Float64Array(rows * outputs);
        denseForward(act, s, x, w, b, y);
        denseForwardPortable(act, s, x, w, b, yPortable);
        assert.deepEqual(y, yPortable, `${where}: forward`);
        for (const inputFresh of [true, false]) {
          const grads = () => ({ weight: random(inputs * outputs), bias: random(outputs), input: inputFresh ? new Float64Array(rows * inputs) : random(rows * inputs), inputFresh });
          const wasm = grads();
          const portable = { weight: wasm.weight.slice(), bias: wasm.bias.slice(), input: wasm.input.slice(), inputFresh };
          denseBackward(act, s, { g, y, x, w }, wasm);
          denseBackwardPortable(act, s, { g, y, x, w }, portable);
          assert.deepEqual(wasm, portable, `${where}: gradients (input fresh: ${inputFresh})`);
        }
      }
    }
  },
);
