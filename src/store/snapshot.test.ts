import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCrucibleError } from '../errors.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

test('a snapshot restores nested vectors bit-exact and plain JSON as is', () => {
  const value = { step: 4, name: 'fedadam', m: Float64Array.of(NaN, -0, 1e-310), layers: [{ c: Float64Array.of(1, 2) }, null] };
  const snap = encodeSnapshot(value);
  const back = decodeSnapshot(snap.json, snap.vectors) as typeof value;
  assert.equal(back.step, 4);
  assert.ok(Number.isNaN(back.m[0]) && Object.is(back.m[1], -0) && back.m[2] === 1e-310);
  assert.deepEqual([...back.layers[0]!.c], [1, 2]);
  assert.equal(back.layers[1], null);
});

test('a snapshot refuses values it cannot restore exactly', () => {
  assert.throws(() => encodeSnapshot({ x: Float32Array.of(1) }), /Float32Array/);
  assert.throws(() => encodeSnapshot({ x: Infinity }), /Infinity/);
  assert.throws(() => encodeSnapshot({ x: new Map() }), /Map/);
});

test('random JSON and random bytes given to decodeSnapshot never crash it', () => {
  const good = encodeSnapshot({ a: Float64Array.of(1) });
  fc.assert(
    fc.property(fc.string(), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (json, bytes, useGoodBytes) => {
      try {
        decodeSnapshot(json, useGoodBytes ? good.vectors : bytes);
      } catch (e) {
        assert.ok(isCrucibleError(e, 'MESSAGE_MALFORMED'), String(e));
      }
    }),
  );
  assert.throws(() => decodeSnapshot('{"x":{"$vector":"/missing"}}', good.vectors), (e) => isCrucibleError(e, 'MESSAGE_MALFORMED'));
});
