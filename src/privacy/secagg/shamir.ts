/**
 * Shamir secret sharing (Shamir, CACM 1979) of 32-byte secrets over GF(2^31 − 1): the secret is cut
 * into 11 chunks of at most 24 bits, and each chunk is the constant term of its own random polynomial
 * of degree t − 1, evaluated at each holder's non-zero x-coordinate. A share is the 11 values at one x.
 * Any t shares give every chunk back by Lagrange interpolation at 0; fewer than t shares are uniformly
 * distributed, chunk by chunk, and reveal nothing.
 *
 * SecAgg (Bonawitz et al., CCS 2017) shares each plant's self-mask seed and masking secret key this way.
 *
 * @example
 * const shares = shamirSplit(secret, [1, 2, 3, 4, 5], 3, randomBytes);
 * shamirCombine(shares.slice(2), 3) // → { secret, consistent: true }
 */
import { FIELD_BYTES, FIELD_PRIME, fieldAdd, fieldInverse, fieldMul, fieldOf, randomFieldElements } from './field.js';

/** One share: the holder's x-coordinate and the polynomials' values there (big-endian uint32 each). */
export interface ShamirShare {
  readonly x: number;
  readonly y: Uint8Array;
}

/** Bytes of a secret that `shamirSplit` accepts. */
export const SECRET_BYTES = 32;
/** Secret bytes per field element: 3 bytes = 24 bits < 31, so a chunk is an element without reduction. */
const CHUNK_BYTES = 3;
const CHUNKS = Math.ceil(SECRET_BYTES / CHUNK_BYTES); // 11
/** Bytes of one share's y. */
export const SHARE_BYTES = CHUNKS * FIELD_BYTES; // 44

function chunksOf(secret: Uint8Array): number[] {
  const out: number[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    let v = 0;
    for (let b = c * CHUNK_BYTES; b < Math.min(SECRET_BYTES, (c + 1) * CHUNK_BYTES); b++) v = v * 256 + secret[b];
    out.push(v);
  }
  return out;
}

/** The secret back from its chunks, or null if a chunk is out of range (a tampered share). */
function secretOf(chunks: readonly number[]): Uint8Array | null {
  const out = new Uint8Array(SECRET_BYTES);
  for (let c = 0; c < CHUNKS; c++) {
    const start = c * CHUNK_BYTES;
    const bytes = Math.min(SECRET_BYTES, start + CHUNK_BYTES) - start;
    let v = chunks[c];
    if (v >= 2 ** (8 * bytes)) return null;
    for (let b = start + bytes - 1; b >= start; b--) {
      out[b] = v & 0xff;
      v = Math.floor(v / 256);
    }
  }
  return out;
}

function writeShare(values: readonly number[]): Uint8Array {
  const y = new Uint8Array(SHARE_BYTES);
  const view = new DataView(y.buffer);
  values.forEach((v, c) => view.setUint32(c * FIELD_BYTES, v));
  return y;
}

/** The share's values, or null when it has the wrong size or a value outside the field. */
function readShare(share: ShamirShare): number[] | null {
  if (share.y.length !== SHARE_BYTES) return null;
  const view = new DataView(share.y.buffer, share.y.byteOffset, SHARE_BYTES);
  const out: number[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    const v = view.getUint32(c * FIELD_BYTES);
    if (v >= FIELD_PRIME) return null;
    out.push(v);
  }
  return out;
}

/**
 * Splits a 32-byte secret into one share per x-coordinate, any `threshold` of which recover it.
 * x-coordinates must be distinct integers in [1, 2^31 − 2].
 */
export function shamirSplit(
  secret: Uint8Array,
  xs: readonly number[],
  threshold: number,
  entropy: (bytes: number) => Uint8Array,
): ShamirShare[] {
  if (secret.length !== SECRET_BYTES) throw new RangeError(`shamirSplit: secret must be ${SECRET_BYTES} bytes, got ${secret.length}`);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw new RangeError(`shamirSplit: threshold must be an integer in [1, ${xs.length}] (the number of holders), got ${threshold}`);
  }
  if (new Set(xs).size !== xs.length || xs.some((x) => !Number.isInteger(x) || x <= 0 || x >= FIELD_PRIME)) {
    throw new RangeError(`shamirSplit: x-coordinates must be distinct integers in [1, ${FIELD_PRIME - 1}], got [${xs.join(', ')}]`);
  }
  const constants = chunksOf(secret);
  // coefficients[c·(t−1) + i − 1] is the x^i coefficient of chunk c's polynomial.
  const coefficients = randomFieldElements(CHUNKS * (threshold - 1), entropy);
  return xs.map((x) => {
    const values = constants.map((constant, c) => {
      let y = 0;
      for (let i = threshold - 1; i >= 1; i--) y = fieldAdd(fieldMul(y, x), coefficients[c * (threshold - 1) + i - 1]); // Horner
      return fieldAdd(fieldMul(y, x), constant);
    });
    return { x, y: writeShare(values) };
  });
}

/** Lagrange basis weights λ_i(at) of the points' x-coordinates: p(at) = Σ λ_i · y_i. */
function lagrangeWeights(xs: readonly number[], at: number): number[] {
  return xs.map((xi, i) => {
    let numerator = 1;
    let denominator = 1;
    xs.forEach((xj, j) => {
      if (j === i) return;
      numerator = fieldMul(numerator, fieldOf(at - xj));
      denominator = fieldMul(denominator, fieldOf(xi - xj));
    });
    return fieldMul(numerator, fieldInverse(denominator));
  });
}

function evaluate(weights: readonly number[], values: readonly (readonly number[])[], chunk: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) acc = fieldAdd(acc, fieldMul(weights[i], values[i][chunk]));
  return acc;
}

/**
 * Recovers the secret from at least `threshold` shares. When more shares arrive than needed, the
 * extra ones are checked against the polynomials through the first `threshold`: a share that does
 * not lie on them was tampered with, and `consistent` is false (the caller raises SECAGG_TAMPERED).
 * `secret` is null when a share is malformed or the result is not a valid 32-byte secret (a sign of
 * tampering, too).
 */
export function shamirCombine(
  shares: readonly ShamirShare[],
  threshold: number,
): { secret: Uint8Array | null; consistent: boolean } {
  if (shares.length < threshold) {
    throw new RangeError(`shamirCombine: need ${threshold} shares, got ${shares.length}`);
  }
  if (new Set(shares.map((s) => s.x)).size !== shares.length) {
    throw new RangeError(`shamirCombine: duplicate x-coordinates in [${shares.map((s) => s.x).join(', ')}]`);
  }
  const values = shares.map(readShare);
  if (values.some((v) => v === null) || shares.some((s) => !Number.isInteger(s.x) || s.x <= 0 || s.x >= FIELD_PRIME)) {
    return { secret: null, consistent: false };
  }
  const points = values as number[][];
  const basisXs = shares.slice(0, threshold).map((s) => s.x);
  const basis = points.slice(0, threshold);
  let consistent = true;
  for (let e = threshold; e < shares.length; e++) {
    const weights = lagrangeWeights(basisXs, shares[e].x);
    for (let c = 0; c < CHUNKS; c++) if (evaluate(weights, basis, c) !== points[e][c]) consistent = false;
  }
  const atZero = lagrangeWeights(basisXs, 0);
  const secret = secretOf(Array.from({ length: CHUNKS }, (_, c) => evaluate(atZero, basis, c)));
  return { secret, consistent };
}
