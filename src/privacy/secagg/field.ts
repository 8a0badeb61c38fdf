/**
 * Arithmetic in the prime field GF(p) with p = 2^521 − 1 (a Mersenne prime), the field of Crucible's
 * Shamir shares.
 *
 * Why this prime: a 32-byte secret (an X25519 secret key or a mask seed) is below 2^256 < p, so each
 * secret is ONE field element — no chunking, no bias — and reduction modulo a Mersenne prime is a
 * shift and an add. A share is 66 bytes; shares are few (one per neighbour), so size does not matter.
 *
 * @example
 * fieldMul(3n, fieldInverse(3n)) === 1n
 */

/** The field modulus p = 2^521 − 1. */
export const FIELD_PRIME = (1n << 521n) - 1n;
/** Bytes of one field element on the wire (big-endian). */
export const FIELD_BYTES = 66;

/** x mod p for any non-negative or negative bigint. */
export function fieldReduce(x: bigint): bigint {
  let r = x % FIELD_PRIME;
  if (r < 0n) r += FIELD_PRIME;
  return r;
}

export function fieldAdd(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= FIELD_PRIME ? s - FIELD_PRIME : s;
}

export function fieldSub(a: bigint, b: bigint): bigint {
  const s = a - b;
  return s < 0n ? s + FIELD_PRIME : s;
}

export function fieldMul(a: bigint, b: bigint): bigint {
  const x = a * b;
  // Mersenne reduction: x = hi·2^521 + lo ≡ hi + lo (mod p).
  let r = (x & FIELD_PRIME) + (x >> 521n);
  r = (r & FIELD_PRIME) + (r >> 521n);
  return r >= FIELD_PRIME ? r - FIELD_PRIME : r;
}

/** The multiplicative inverse of a non-zero element (extended Euclid). */
export function fieldInverse(a: bigint): bigint {
  let r0 = fieldReduce(a);
  if (r0 === 0n) throw new RangeError('fieldInverse: zero has no inverse');
  let r1 = FIELD_PRIME;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return fieldReduce(s0);
}

/** Big-endian bytes → bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/** bigint → big-endian bytes of the given length (RangeError when it does not fit). */
export function bigIntToBytes(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new RangeError(`bigIntToBytes: negative value`);
  const out = new Uint8Array(length);
  let v = x;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`bigIntToBytes: value does not fit in ${length} bytes`);
  return out;
}

/**
 * A uniformly random field element from an entropy source: 521 random bits, rejected while ≥ p
 * (the only rejected value is p itself, so this almost never loops).
 */
export function randomFieldElement(entropy: (bytes: number) => Uint8Array): bigint {
  for (;;) {
    const bytes = entropy(FIELD_BYTES);
    bytes[0] &= 0x01; // keep 521 bits: 8·66 − 7
    const x = bytesToBigInt(bytes);
    if (x < FIELD_PRIME) return x;
  }
}
