import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { gemm, gemmHelperChunks, gemmWasm, startGemmThreads } from './gemm.js';
import { gemmPortable } from './gemm-portable.js';
import { wasmKernels } from './wasm.js';

const rng = new Rng(7);
const random = (n: number): Float64Array => {
  const v = new Float64Array(n);
  rng.fillNormal(v, 0, 1);
  return v;
};

/** The definition, in the plainest loop, with |op(A)|·|op(B)| + |C₀| as the scale of rounding error. */
function reference(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float64Array, b: Float64Array, c0: Float64Array) {
  const value = c0.slice();
  const scale = c0.map(Math.abs);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const x = (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
        s += x;
        s1 += Math.abs(x);
      }
      value[i * n + j] += s;
      scale[i * n + j] += s1;
    }
  }
  return { value, scale };
}

function assertClose(got: Float64Array, ref: { value: Float64Array; scale: Float64Array }, what: string): void {
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i] - ref.value[i]);
    if (!(err <= 1e-12 * ref.scale[i])) assert.fail(`${what}: element ${i} is ${got[i]}, reference ${ref.value[i]} (error ${err}, scale ${ref.scale[i]})`);
  }
}

const SIZES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 1, 17],
  [1, 17, 3],
  [17, 3, 1],
  [17, 17, 17],
  [3, 257, 17],
  [257, 3, 17],
  [17, 17, 257],
  [65, 33, 300], // more than one KC block of the inner dimension and one MC block of rows
];
const CASES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

test('gemm equals the naive triple loop to 1e-12 (relative to Σ|a·b|) for all transpose cases, odd sizes and beta 0 or 1', () => {
  for (const [m, n, k] of SIZES) {
    for (const [transA, transB] of CASES) {
      const a = random(m * k);
      const b = random(k * n);
      const c0 = random(m * n);
      const c = c0.slice();
      gemm(transA, transB, m, n, k, a, b, 1, c);
      assertClose(c, reference(transA, transB, m, n, k, a, b, c0), `gemm ${m}×${n}×${k} transA=${transA} transB=${transB} beta=1`);
      gemm(transA, transB, m, n, k, a, b, 0, c);
      assertClose(c, reference(transA, transB, m, n, k, a, b, new Float64Array(m * n)), `gemm ${m}×${n}×${k} beta=0`);
      const p = c0.slice();
      gemmPortable(transA, transB, m, n, k, a, b, 1, p);
      assertClose(p, reference(transA, transB, m, n, k, a, b, c0), `gemmPortable ${m}×${n}×${k} transA=${transA} transB=${transB}`);
    }
  }
});

test('gemm of empty shapes leaves beta·C', () => {
  const c = Float64Array.of(1, 2);
  gemm(false, false, 1, 2, 0, new Float64Array(0), new Float64Array(0), 1, c);
  assert.deepEqual([...c], [1, 2]);
  gemm(false, false, 1, 2, 0, new Float64Array(0), new Float64Array(0), 0, c);
  assert.deepEqual([...c], [0, 0]);
});

test(
  'the WebAssembly kernel, on one thread or two, gives the same bits as the TypeScript kernel',
  { skip: process.env.CRUCIBLE_WASM === '0' ? 'CRUCIBLE_WASM=0: the TypeScript kernels were asked for' : false },
  async () => {
    assert.ok(wasmKernels !== null, 'build/kernels.wasm is not loaded: run `npm run build:kernels`');
    assert.equal(await startGemmThreads(), true, 'the helper thread should start on a machine with 2 CPUs');
    // 130·129·257 multiply-adds is past the two-thread threshold; the others exercise edges, and
    // the products that fit in L1 with rows a multiple of 4 the unpacked kernel (one KC block of the
    // inner dimension or two; columns a multiple of 4, or any count when B is transposed).
    const more: Array<[number, number, number]> = [[130, 129, 257], [513, 9, 300], [64, 64, 64], [8, 12, 300], [64, 4, 64], [4, 64, 8], [16, 13, 40]];
    for (const [m, n, k] of [...SIZES, ...more]) {
      for (const [transA, transB] of CASES) {
        const a = random(m * k);
        const b = random(k * n);
        const c0 = random(m * n);
        const portable = c0.slice();
        gemmPortable(transA, transB, m, n, k, a, b, 1, portable);
        for (const threads of [1, 2]) {
          const c = c0.slice();
          assert.equal(gemmWasm(transA, transB, m, n, k, a, b, 1, c, { threads }), true);
          assert.deepEqual(c, portable, `${m}×${n}×${k} transA=${transA} transB=${transB} threads=${threads}`);
        }
      }
    }
  },
);

test(
  'a large product shared with the helper thread gives the same bits as the TypeScript kernel',
  { skip: process.env.CRUCIBLE_WASM === '0' ? 'CRUCIBLE_WASM=0: the TypeScript kernels were asked for' : false },
  async () => {
    assert.ok(wasmKernels !== null, 'build/kernels.wasm is not loaded: run `npm run build:kernels`');
    assert.equal(await startGemmThreads(), true);
    const [m, n, k] = [300, 200, 150];
    const a = random(m * k);
    const b = random(k * n);
    const expected = new Float64Array(m * n);
    gemmPortable(false, true, m, n, k, a, b, 0, expected);
    const before = gemmHelperChunks();
    // The helper claims chunks only if it wakes before the main thread has taken them all; on a
    // loaded machine that may take a few tries.
    for (let attempt = 0; attempt < 50 && gemmHelperChunks() === before; attempt++) {
      const c = new Float64Array(m * n);
      gemmWasm(false, true, m, n, k, a, b, 0, c, { threads: 2 });
      assert.deepEqual(c, expected);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(gemmHelperChunks() > before, 'the helper thread computed no rows');
  },
);
