/**
 * The mask generator: expands a 32-byte seed into words of Z_(2^32) with AES-256-CTR (key = seed,
 * zero IV), a cryptographic PRG. Every seed is used for exactly one mask in one round (self-mask seeds
 * are fresh per round and pairwise seeds are derived with the round in the HKDF info), so the fixed
 * IV never repeats a keystream.
 *
 * Contrast: a mask from a non-cryptographic generator (e.g. a Mersenne Twister) can be predicted from
 * a few outputs, and then the mask hides nothing.
 *
 * @example
 * const mask = expandMask(seed, 1000); // Uint32Array(1000)
 */
import { createCipheriv } from 'node:crypto';

const ZERO_IV = Buffer.alloc(16);
let zeroBuffer = Buffer.alloc(0);

/** A shared all-zero plaintext of at least `bytes` bytes (never written to). */
function zeros(bytes: number): Buffer {
  if (zeroBuffer.length < bytes) zeroBuffer = Buffer.alloc(bytes);
  return zeroBuffer.subarray(0, bytes);
}

/** `length` pseudo-random 32-bit words from `seed` (little-endian words of the AES-CTR keystream). */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  if (seed.length !== 32) throw new RangeError(`expandMask: seed must be 32 bytes, got ${seed.length}`);
  const cipher = createCipheriv('aes-256-ctr', seed, ZERO_IV);
  const stream = cipher.update(zeros(length * 4));
  // The Uint32Array reads little-endian words on every platform Node supports, and plants and
  // coordinator run the same code. Large outputs are their own aligned allocation: view, don't copy.
  if (stream.byteOffset % 4 === 0) return new Uint32Array(stream.buffer, stream.byteOffset, length);
  const words = new Uint32Array(length);
  new Uint8Array(words.buffer).set(stream);
  return words;
}

/** out ← out + mask (mod 2^32), in place. */
export function addMask(out: Uint32Array, mask: Uint32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (out[i] + mask[i]) >>> 0;
}

/** out ← out − mask (mod 2^32), in place. */
export function subtractMask(out: Uint32Array, mask: Uint32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - mask[i]) >>> 0;
}
