import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { decodeMaskedInput, encodeMaskedInput } from './wire.js';

test('a masked input decodes to the same words whether its bytes are 4-byte aligned or not', () => {
  const words = new Uint32Array([1, 0xffffffff, 123456789, 0]);
  const bytes = encodeMaskedInput({ plant: 'a', masked: words });
  const aligned = decodeMaskedInput('a', bytes);
  assert.deepEqual(aligned.masked, words);
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  assert.deepEqual(decodeMaskedInput('a', shifted.subarray(1)).masked, words);
  assert.throws(() => decodeMaskedInput('a', bytes.subarray(0, 7)), (e) => isCrucibleError(e, 'MESSAGE_MALFORMED'));
});
