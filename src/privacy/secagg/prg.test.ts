import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { addWords, applyMasks, expandMask } from './prg.js';
import { CHUNK_WORDS, portableWordChunk, simdWords, wordChunk } from './wordKernel.js';

const seedOf = (b: number) => new Uint8Array(32).fill(b);

test('streamed masks equal the sum of fully expanded masks, mod 2^32, across chunk boundaries', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 * CHUNK_WORDS + 37 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 5 }), (length, specs) => {
      const base = new Uint32Array(length).map((_, i) => (i * 2654435761) >>> 0);
      const masks = specs.map(([b, plus]) => ({ seed: seedOf(b), sign: plus ? (1 as const) : (-1 as const) }));
      const streamed = base.slice();
      applyMasks(streamed, masks);
      const expected = base.slice();
      for (const { seed, sign } of masks) {
        const m = expandMask(seed, length);
        for (let i = 0; i < length; i++) expected[i] = (expected[i] + sign * m[i]) >>> 0;
      }
      assert.deepEqual(streamed, expected);
    }),
    { numRuns: 12 },
  );
});

test('the AES-CTR mask is the keystream of the seed: known first words, and distinct seeds give distinct masks', () => {
  // AES-128 of the zero block under the zero key (the first CTR block): 66e94bd4ef8a2c3b884cfa59ca342b2e.
  const first = expandMask(new Uint8Array(32), 4);
  assert.deepEqual(Buffer.from(first.buffer, first.byteOffset, 16).toString('hex'), '66e94bd4ef8a2c3b884cfa59ca342b2e');
  assert.notDeepEqual(expandMask(seedOf(1), 8), expandMask(seedOf(2), 8));
});

test('the AES-128 key is the first 16 bytes of the seed, which are what HKDF derives for a 16-byte key', () => {
  const seed = new Uint8Array(32).map((_, i) => i);
  const other = seed.slice();
  other[31] ^= 0xff; // only the unused half differs
  assert.deepEqual(expandMask(seed, 16), expandMask(other, 16));
  other[0] ^= 0xff;
  assert.notDeepEqual(expandMask(seed, 16), expandMask(other, 16));
  const ikm = new Uint8Array(32).fill(9);
  const long = new Uint8Array(hkdfSync('sha256', ikm, 'salt', 'info', 32));
  assert.deepEqual(long.subarray(0, 16), new Uint8Array(hkdfSync('sha256', ikm, 'salt', 'info', 16)));
});

test('the SIMD word kernel and the plain loop agree, wrap-around included', () => {
  assert.equal(typeof simdWords, 'boolean');
  const part = () => new Int32Array(1001).map((_, i) => (i % 2 ? 2 ** 31 - 1 - i : -(2 ** 31) + i));
  const operand = new Uint8Array(new Int32Array(1001).map((_, i) => (i * 7919) | 0).buffer);
  const [a, b] = [part(), part()];
  const simd = wordChunk(a);
  simd.add(operand);
  simd.subtract(operand.subarray(0));
  simd.add(operand);
  simd.store();
  const plain = portableWordChunk(b);
  plain.add(operand);
  plain.subtract(operand);
  plain.add(operand);
  plain.store();
  assert.deepEqual(a, b);
  assert.equal(a[1], ((2 ** 31 - 2) + 7919) | 0);
});

test('addWords sums whole vectors with signs and refuses a length mismatch', () => {
  const x = new Uint32Array([1, 2, 0xffffffff]);
  const out = new Uint32Array(3);
  addWords(out, [{ words: x, sign: 1 }, { words: x, sign: 1 }, { words: new Uint32Array([1, 1, 1]), sign: -1 }]);
  assert.deepEqual(out, new Uint32Array([1, 3, 0xfffffffd]));
  assert.throws(() => addWords(out, [{ words: new Uint32Array(2), sign: 1 }]), RangeError);
});
