/**
 * Shamir secret sharing (Shamir, CACM 1979) of 32-byte secrets over GF(2^521 − 1): a random
 * polynomial of degree t − 1 with the secret as constant term, evaluated at each holder's non-zero
 * x-coordinate. Any t shares give the secret back by Lagrange interpolation at 0; fewer than t shares
 * are uniformly distributed and reveal nothing.
 *
 * SecAgg (Bonawitz et al., CCS 2017) shares each plant's self-mask seed and masking secret key this way.
 *
 * @example
 * const shares = shamirSplit(secret, [1, 2, 3, 4, 5], 3, randomBytes);
 * shamirCombine(shares.slice(2), 3) // → secret
 */
import {
  FIELD_BYTES,
  bigIntToBytes,
  bytesToBigInt,
  fieldAdd,
  fieldInverse,
  fieldMul,
  fieldSub,
  randomFieldElement,
} from './field.js';

/** One share: the holder's x-coordinate and the polynomial's value there (66 bytes, big-endian). */
export interface ShamirShare {
  readonly x: number;
  readonly y: Uint8Array;
}

/** Bytes of a secret that `shamirSplit` accepts. */
export const SECRET_BYTES = 32;

/**
 * Splits a 32-byte secret into one share per x-coordinate, any `threshold` of which recover it.
 * x-coordinates must be distinct positive integers.
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
  if (new Set(xs).size !== xs.length || xs.some((x) => !Number.isInteger(x) || x <= 0)) {
    throw new RangeError(`shamirSplit: x-coordinates must be distinct positive integers, got [${xs.join(', ')}]`);
  }
  const coefficients = [bytesToBigInt(secret)];
  for (let i = 1; i < threshold; i++) coefficients.push(randomFieldElement(entropy));
  return xs.map((x) => {
    const bx = BigInt(x);
    let y = 0n;
    for (let i = coefficients.length - 1; i >= 0; i--) y = fieldAdd(fieldMul(y, bx), coefficients[i]); // Horner
    return { x, y: bigIntToBytes(y, FIELD_BYTES) };
  });
}

// x-coordinates are small roster positions, so the Lagrange denominators are products of small
// differences; caching their inverses turns each interpolation into multiplications only.
const smallInverses = new Map<number, bigint>();
function inverseOfSmall(d: number): bigint {
  let inv = smallInverses.get(d);
  if (inv === undefined) {
    inv = fieldInverse(d > 0 ? BigInt(d) : fieldSub(0n, BigInt(-d)));
    smallInverses.set(d, inv);
  }
  return inv;
}

/** Evaluates at `at` the polynomial through the given points (Lagrange). */
function interpolate(points: readonly ShamirShare[], at: bigint): bigint {
  let acc = 0n;
  for (let i = 0; i < points.length; i++) {
    let term = bytesToBigInt(points[i].y);
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      term = fieldMul(term, fieldMul(fieldSub(at, BigInt(points[j].x)), inverseOfSmall(points[i].x - points[j].x)));
    }
    acc = fieldAdd(acc, term);
  }
  return acc;
}

/**
 * Recovers the secret from at least `threshold` shares. When more shares arrive than needed, the
 * extra ones are checked against the polynomial through the first `threshold`: a share that does
 * not lie on it was tampered with, and `consistent` is false (the caller raises SECAGG_TAMPERED).
 * Returns null when the result is not a valid 32-byte secret (a sign of tampering, too).
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
  const basis = shares.slice(0, threshold);
  let consistent = true;
  for (const extra of shares.slice(threshold)) {
    if (interpolate(basis, BigInt(extra.x)) !== bytesToBigInt(extra.y)) consistent = false;
  }
  const value = interpolate(basis, 0n);
  const secret = value < 1n << 256n ? bigIntToBytes(value, SECRET_BYTES) : null;
  return { secret, consistent };
}
