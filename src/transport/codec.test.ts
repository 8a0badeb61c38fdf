import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCrucibleError } from '../errors.js';
import { decodeBundle, decodeVector, encodeBundle, encodeVector } from './codec.js';

const finiteArray = fc.float64Array({ noNaN: true, noDefaultInfinity: true, maxLength: 200 });

/** Runs `decode`; the only acceptable failure is a CrucibleError with one of the decoder codes. */
function decodesOrRejectsCleanly(decode: () => unknown): void {
  try {
    decode();
  } catch (e) {
    assert.ok(isCrucibleError(e), `decoder threw a non-domain error: ${String(e)}`);
    assert.ok(['MESSAGE_MALFORMED', 'MESSAGE_TOO_LARGE', 'UPDATE_REJECTED'].includes(e.code), e.code);
  }
}

test('a vector survives encode then decode bit for bit', () => {
  fc.assert(
    fc.property(finiteArray, (values) => {
      const back = decodeVector(encodeVector(values), { field: 'v', expectedLength: values.length });
      assert.deepEqual(Buffer.from(back.buffer), Buffer.from(values.slice().buffer));
    }),
  );
});

test('vector data is little-endian float64', () => {
  const wire = encodeVector(new Float64Array([1]));
  assert.deepEqual([...wire.data], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
});

test('random bytes and random shapes fed to decodeVector never crash it', () => {
  fc.assert(
    fc.property(
      fc.record({
        length: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(undefined)),
        data: fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.string(), fc.constant(null)),
        sha256: fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array(), fc.constant(undefined)),
      }),
      (wire) => decodesOrRejectsCleanly(() => decodeVector(wire, { field: 'fuzz', expectedLength: 3 })),
    ),
  );
  fc.assert(fc.property(fc.anything(), (x) => decodesOrRejectsCleanly(() => decodeVector(x, { field: 'fuzz' }))));
});

test('a truncated vector is rejected as malformed', () => {
  const wire = encodeVector(new Float64Array([1, 2, 3]));
  assert.throws(
    () => decodeVector({ ...wire, data: wire.data.subarray(0, 20) }, { field: 'fit.parameters' }),
    (e) => isCrucibleError(e, 'MESSAGE_MALFORMED') && /20 bytes of data for 3/.test(e.message),
  );
});

test('a flipped bit fails the checksum', () => {
  const wire = encodeVector(new Float64Array([1, 2, 3]));
  wire.data[5] ^= 1;
  assert.throws(() => decodeVector(wire, { field: 'v' }), (e) => isCrucibleError(e, 'MESSAGE_MALFORMED') && /checksum/.test(e.message));
});

test('NaN, Infinity and wrong-length updates are rejected as UPDATE_REJECTED', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () => decodeVector(encodeVector(new Float64Array([0, bad])), { field: 'u', details: { plantId: 'p1' } }),
      (e) => isCrucibleError(e, 'UPDATE_REJECTED') && e.details.plantId === 'p1' && e.details.index === 1,
    );
  }
  assert.throws(
    () => decodeVector(encodeVector(new Float64Array(4)), { field: 'u', expectedLength: 5 }),
    (e) => isCrucibleError(e, 'UPDATE_REJECTED') && /4 values, the model has 5/.test(e.message),
  );
});

test('a vector above the length limit is MESSAGE_TOO_LARGE before any allocation', () => {
  const wire = { length: 2 ** 40, data: new Uint8Array(0), sha256: new Uint8Array(32) };
  assert.throws(() => decodeVector(wire, { field: 'u' }), (e) => isCrucibleError(e, 'MESSAGE_TOO_LARGE'));
});

test('a bundle of named vectors survives encode then decode and encodes deterministically', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 20 }), finiteArray, { maxKeys: 6 }), (dict) => {
      const blob = encodeBundle(dict);
      const back = decodeBundle(blob);
      assert.deepEqual(Object.keys(back).sort(), Object.keys(dict).sort());
      for (const k of Object.keys(dict)) assert.deepEqual([...back[k]], [...dict[k]]);
      assert.deepEqual(encodeBundle(back), blob);
    }),
  );
});

test('random bytes fed to decodeBundle never crash it', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRejectsCleanly(() => decodeBundle(bytes))));
  fc.assert(fc.property(fc.anything(), (x) => decodesOrRejectsCleanly(() => decodeBundle(x))));
});

test('a bundle mutated anywhere or cut anywhere is rejected', () => {
  const blob = encodeBundle({ m: new Float64Array([1, 2]), v: new Float64Array([3]) });
  fc.assert(
    fc.property(fc.nat(blob.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const bad = blob.slice();
      bad[at] ^= xor;
      assert.throws(() => decodeBundle(bad), (e) => isCrucibleError(e, 'MESSAGE_MALFORMED'));
      assert.throws(() => decodeBundle(blob.subarray(0, at)), (e) => isCrucibleError(e, 'MESSAGE_MALFORMED'));
    }),
  );
});
