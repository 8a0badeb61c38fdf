/**
 * The mask generator: expands a 32-byte seed into words of Z_(2^32) with AES-128-CTR (zero IV), a
 * cryptographic PRG at the 128-bit security level SecAgg is analysed at (Bell et al., CCS 2020). The
 * key is the seed's first 16 bytes: a pairwise seed is HKDF-SHA256 output, whose first 16 bytes are
 * exactly HKDF's 16-byte output (RFC 5869: output is the prefix of T(1) ‖ T(2) …), and a self-mask
 * seed is uniform random bytes, so either way the key is a uniform 128-bit key. (AES-256 was ~10 %
 * slower per mask in Node 20 on the bench machine for no security the protocol uses.) Every seed is
 * used for exactly one mask in one round (self-mask seeds are fresh per round and pairwise seeds are
 * derived with the round in the HKDF info), so the fixed IV never repeats a keystream.
 *
 * Contrast: a mask from a non-cryptographic generator (e.g. a Mersenne Twister) can be predicted from
 * a few outputs, and then the mask hides nothing.
 *
 * `applyMasks` is the hot path of a SecAgg round (a plant applies one mask per neighbour plus its
 * self mask; the coordinator removes one per survivor): it streams every keystream in 64 KiB chunks
 * into one chunk of the target vector at a time (`wordKernel.ts`, SIMD adds), so no full-length mask
 * is ever allocated and the chunk being summed stays in cache.
 *
 * @example
 * applyMasks(words, [{ seed: selfSeed, sign: 1 }, { seed: pairSeed, sign: -1 }]); // in place
 */
import { createCipheriv } from 'node:crypto';
import { CHUNK_WORDS, wordChunk } from './wordKernel.js';

const ZERO_IV = Buffer.alloc(16);
let zeroBuffer = Buffer.alloc(0);

/** A shared all-zero plaintext of at least `bytes` bytes (never written to). */
function zeros(bytes: number): Buffer {
  if (zeroBuffer.length < bytes) zeroBuffer = Buffer.alloc(bytes);
  return zeroBuffer.subarray(0, bytes);
}

/** Bytes of a mask seed, and of the AES-128 key taken from its start (see the file comment). */
export const SEED_BYTES = 32;
const KEY_BYTES = 16;

function cipherOf(seed: Uint8Array, caller: string) {
  if (seed.length !== SEED_BYTES) throw new RangeError(`${caller}: seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  return createCipheriv('aes-128-ctr', seed.subarray(0, KEY_BYTES), ZERO_IV);
}

/** `length` pseudo-random 32-bit words from `seed` (little-endian words of the AES-CTR keystream). */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  const stream = cipherOf(seed, 'expandMask').update(zeros(length * 4));
  // Little-endian words on every platform Node supports; plants and coordinator run the same code.
  if (stream.byteOffset % 4 === 0) return new Uint32Array(stream.buffer, stream.byteOffset, length);
  const words = new Uint32Array(length);
  new Uint8Array(words.buffer).set(stream);
  return words;
}

/** One mask to apply: PRG(seed) added (sign 1) or subtracted (sign −1). */
export interface SignedSeed {
  readonly seed: Uint8Array;
  readonly sign: 1 | -1;
}

const asInt32 = (words: Uint32Array): Int32Array => new Int32Array(words.buffer, words.byteOffset, words.length);
const bytesOf = (words: Uint32Array): Uint8Array => new Uint8Array(words.buffer, words.byteOffset, words.byteLength);

/** out ← out + Σ sign·PRG(seed) (mod 2^32), in place, streamed chunk by chunk (see the file comment). */
export function applyMasks(out: Uint32Array, masks: readonly SignedSeed[]): void {
  const ciphers = masks.map((m) => cipherOf(m.seed, 'applyMasks'));
  const target = asInt32(out);
  for (let offset = 0; offset < out.length; offset += CHUNK_WORDS) {
    const n = Math.min(CHUNK_WORDS, out.length - offset);
    const chunk = wordChunk(target.subarray(offset, offset + n));
    const plaintext = zeros(4 * n);
    for (let k = 0; k < ciphers.length; k++) {
      const stream = ciphers[k].update(plaintext);
      if (masks[k].sign > 0) chunk.add(stream);
      else chunk.subtract(stream);
    }
    chunk.store();
  }
}

/** out ← out + Σ sign·words (mod 2^32), in place: sums of whole vectors, such as masked inputs. */
export function addWords(out: Uint32Array, terms: readonly { readonly words: Uint32Array; readonly sign: 1 | -1 }[]): void {
  for (const { words } of terms) {
    if (words.length !== out.length) throw new RangeError(`addWords: a term has ${words.length} words, the sum ${out.length}`);
  }
  const target = asInt32(out);
  for (let offset = 0; offset < out.length; offset += CHUNK_WORDS) {
    const n = Math.min(CHUNK_WORDS, out.length - offset);
    const chunk = wordChunk(target.subarray(offset, offset + n));
    for (const { words, sign } of terms) {
      const bytes = bytesOf(words).subarray(4 * offset, 4 * (offset + n));
      if (sign > 0) chunk.add(bytes);
      else chunk.subtract(bytes);
    }
    chunk.store();
  }
}
