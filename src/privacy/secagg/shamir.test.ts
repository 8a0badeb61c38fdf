import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededEntropy } from './entropy.js';
import { shamirCombine, shamirSplit } from './shamir.js';
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
  bad.y[65] ^= 1;
  assert.equal(shamirCombine([shares[0], shares[1], shares[2]], 2).consistent, true);
  assert.equal(shamirCombine([shares[0], shares[1], bad], 2).consistent, false);
});

test('field inverse multiplies back to one', () => {
  for (const a of [2n, 3n, FIELD_PRIME - 1n, 123456789012345678901234567890n]) assert.equal(fieldMul(a, fieldInverse(a)), 1n);
});
