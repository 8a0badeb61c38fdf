import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { denseBackward, denseBackwardPortable, denseForward, denseForwardPortable } from './dense.js';
import { sharedPool, startGemmThreads } from './gemm.js';

const skip = process.env.CRUCIBLE_WASM === '0' ? 'CRUCIBLE_WASM=0: the TypeScript kernels were asked for' : false;
const rng = new Rng(43);
const random = (n: number): Float64Array => {
  const v = new Float64Array(n);
  rng.fillNormal(v, 0, 1);
  return v;
};
// 64 rows × 64 × 64: a mid-size layer, shared with the helper while it polls.
const s = { rows: 64, inputs: 64, outputs: 64 };
const x = random(64 * 64);
const w = random(64 * 64);
const b = random(64);
const g = random(64 * 64);

/** A forward and a backward pass of the layer by the given pair of kernels. */
function pass(forward: (...args: Parameters<typeof denseForwardPortable>) => unknown, backward: typeof denseBackwardPortable) {
  const y = new Float64Array(64 * 64);
  forward('tanh', s, x, w, b, y);
  const into = { weight: new Float64Array(64 * 64), bias: new Float64Array(64), input: new Float64Array(64 * 64), inputFresh: true };
  backward('tanh', s, { g, y, x, w }, into);
  return { y, into };
}
const expected = () => pass(denseForwardPortable, denseBackwardPortable);
const run = () => pass(denseForward, denseBackward);

test('mid-size dense layers give the same bits when the helper thread takes some of the rows', { skip }, async () => {
  assert.equal(await startGemmThreads(), true, 'the helper thread should start on a machine with 2 CPUs');
  const pool = sharedPool()!;
  const reference = expected();
  const before = pool.helperChunks();
  // The helper takes rows only while it is polling and running; on a loaded machine that may take
  // many tries (bounded by time, not by their number).
  for (const until = performance.now() + 3000; pool.helperChunks() === before && performance.now() < until; ) {
    await pool.resume();
    assert.deepEqual(run(), reference);
  }
  assert.ok(pool.helperChunks() > before, 'the helper thread computed no rows');
});

test('rows the helper claims but is late with are recomputed on the main thread, and a helper that keeps being late is paused', { skip }, async () => {
  assert.equal(await startGemmThreads(), true);
  const pool = sharedPool()!;
  const reference = expected();
  pool.stallHelperForTests(20);
  try {
    const before = pool.stolenChunks();
    for (const until = performance.now() + 3000; pool.stolenChunks() === before && performance.now() < until; ) {
      await pool.resume();
      assert.deepEqual(run(), reference);
    }
    assert.ok(pool.stolenChunks() > before, 'no chunk was stolen from the stalled helper');
    // Late chunks count against the helper: after enough of them, mid-size layers run on one thread.
    await pool.resume();
    for (const until = performance.now() + 10_000; !pool.paused() && performance.now() < until; ) {
      // Until the stalled helper is out of its chunk the shared workspace is left alone (not hot).
      if (pool.hot()) assert.deepEqual(run(), reference);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(pool.paused(), 'mid-size jobs were not paused although the helper kept stalling');
    assert.deepEqual(run(), reference);
  } finally {
    pool.stallHelperForTests(0);
    await pool.resume();
  }
});
