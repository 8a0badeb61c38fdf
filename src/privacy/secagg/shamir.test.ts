import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededEntropy } from './entropy.js';
import { SHARE_BYTES, shamirCombine, shamirSplit } from './shamir.js';
import { FIELD_PRIME, fieldInverse, fieldMul } from './field.js';

test('any threshold-sized subset of shares recovers the secret', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 0, max: 1000 }), (secret, n, seed) => {
      const entropy = seededEntropy(seed);
      const threshold = 1 + (seed % n);
      const shares = shamirSplit(secret, Array.from({ length: n }, (_, i) => i + 1), threshold, entropy);
      const subset = shares.filter((_, i) => (seed >> i) & 1 || i < threshold).slice(-threshold);
      const { secret: back, consistent } = shamirCombine(subset, threshold);
      assert.ok(consistent);
      assert.deepEqual(back, secret);
    }),
    { numRuns: 60 },
  );
});

test('fewer shares than the threshold interpolate to something other than the secret', () => {
  const secret = new Uint8Array(32).fill(7);
  const shares = shamirSplit(secret, [1, 2, 3, 4, 5], 3, seededEntropy('below'));
  const { secret: wrong } = shamirCombine(shares.slice(0, 2), 2);
  assert.notDeepEqual(wrong, secret);
});

test('a tampered extra share is reported as inconsistent', () => {
  const secret = new Uint8Array(32).fill(1);
  const shares = shamirSplit(secret, [1, 2, 3, 4], 2, seededEntropy('tamper'));
  const bad = { x: shares[3].x, y: shares[3].y.slice() };
  bad.y[SHARE_BYTES - 1] ^= 1;
  assert.equal(shamirCombine([shares[0], shares[1], shares[2]], 2).consistent, true);
  assert.equal(shamirCombine([shares[0], shares[1], bad], 2).consistent, false);
});

test('field inverse multiplies back to one', () => {
  for (const a of [1, 2, 3, FIELD_PRIME - 1, 123456789, 2 ** 30 + 7]) assert.equal(fieldMul(a, fieldInverse(a)), 1);
  assert.throws(() => fieldInverse(0), RangeError);
});

test('field multiplication equals the exact product mod 2^31 − 1 (BigInt oracle)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: FIELD_PRIME - 1 }), fc.integer({ min: 0, max: FIELD_PRIME - 1 }), (a, b) => {
      assert.equal(fieldMul(a, b), Number((BigInt(a) * BigInt(b)) % BigInt(FIELD_PRIME)));
    }),
    { numRuns: 2000 },
  );
  assert.equal(fieldMul(FIELD_PRIME - 1, FIELD_PRIME - 1), 1);
});

test('shares with a value outside the field or of the wrong size are refused, not interpolated', () => {
  const shares = shamirSplit(new Uint8Array(32).fill(9), [1, 2, 3], 2, seededEntropy('range'));
  const outside = { x: shares[0].x, y: shares[0].y.slice() };
  outside.y.fill(0xff, 0, 4); // 2^32 − 1 ≥ p
  assert.deepEqual(shamirCombine([outside, shares[1]], 2), { secret: null, consistent: false });
  assert.deepEqual(shamirCombine([{ x: 1, y: shares[0].y.subarray(1) }, shares[1]], 2), { secret: null, consistent: false });
});
