/**
 * Binary encodings of what travels between coordinator and plants and what the store keeps:
 * parameter vectors (little-endian float64 with a length and a SHA-256 checksum, never JSON arrays of
 * numbers) and named-vector bundles (strategy state such as server-optimizer moments or SCAFFOLD
 * control variates, and the extra vectors a fit result may carry).
 *
 * Every decoder takes untrusted input: it checks types, lengths and checksums before it allocates and
 * throws a `CrucibleError` (MESSAGE_MALFORMED, MESSAGE_TOO_LARGE or UPDATE_REJECTED) naming the field,
 * never a bare TypeError/RangeError. The property tests in codec.test.ts feed random bytes to each one.
 *
 * @example
 * const wire = encodeVector(new Float64Array([1, 2, 3]));
 * decodeVector(wire, { field: 'fit.parameters', expectedLength: 3 }); // Float64Array [1, 2, 3]
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { CrucibleError } from '../errors.js';

/** A parameter vector as it appears on the wire (`crucible.v1.Vector`). */
export interface WireVector {
  /** Number of float64 values. */
  length: number;
  /** `8 * length` bytes, little-endian IEEE-754 float64. */
  data: Uint8Array;
  /** SHA-256 of `data` (32 bytes). */
  sha256: Uint8Array;
}

/** Upper bound on one vector's length unless the caller sets a smaller one (64 Mi values = 512 MiB). */
export const maxVectorLength = 64 * 1024 * 1024;

const littleEndianHost = endianness() === 'LE';

/** The little-endian float64 bytes of `values` (no checksum). */
export function float64ToBytes(values: Float64Array): Uint8Array {
  if (littleEndianHost) {
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  }
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return out;
}

/** Reads `bytes.length / 8` little-endian float64 values into a fresh array. */
export function bytesToFloat64(bytes: Uint8Array): Float64Array {
  if (bytes.length % 8 !== 0) throw new RangeError(`bytesToFloat64: ${bytes.length} bytes is not a multiple of 8`);
  const n = bytes.length / 8;
  if (littleEndianHost) {
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Float64Array(copy.buffer, 0, n);
  }
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** SHA-256 digest of `bytes`. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** Encodes a parameter vector for the wire. */
export function encodeVector(values: Float64Array): WireVector {
  const data = float64ToBytes(values);
  return { length: values.length, data, sha256: sha256(data) };
}

export interface DecodeVectorOptions {
  /** Names the field in error messages, e.g. 'SubmitFitResult.parameters'. */
  field: string;
  /** When set, a vector of any other length is rejected with UPDATE_REJECTED. */
  expectedLength?: number;
  /** Largest accepted length (values). Default `maxVectorLength`. */
  maxLength?: number;
  /** Whether NaN and ±Infinity are accepted. Default false: non-finite values are UPDATE_REJECTED. */
  allowNonFinite?: boolean;
  /** Extra context for the error details (plant, round). */
  details?: Record<string, unknown>;
}

/**
 * Decodes and validates a vector received from the network or the store.
 * Throws MESSAGE_MALFORMED (wrong types, byte count not 8·length, checksum mismatch),
 * MESSAGE_TOO_LARGE (length above the limit) or UPDATE_REJECTED (wrong length, NaN/Inf).
 */
export function decodeVector(wire: unknown, options: DecodeVectorOptions): Float64Array {
  const { field } = options;
  const details = { field, ...options.details };
  if (wire === null || typeof wire !== 'object') {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected a vector message, got ${wire === null ? 'null' : typeof wire}`, details);
  }
  const w = wire as Record<string, unknown>;
  const length = toSafeCount(w.length);
  if (length === undefined) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}.length: expected a non-negative integer, got ${describe(w.length)}`, details);
  }
  const maxLength = options.maxLength ?? maxVectorLength;
  if (length > maxLength) {
    throw new CrucibleError('MESSAGE_TOO_LARGE', `${field}: ${length} values exceeds the limit of ${maxLength}`, { ...details, length, maxLength });
  }
  const data = w.data;
  if (!(data instanceof Uint8Array)) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}.data: expected bytes, got ${describe(data)}`, details);
  }
  if (data.length !== length * 8) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: ${data.length} bytes of data for ${length} float64 values (expected ${length * 8}); truncated or padded`, { ...details, length, bytes: data.length });
  }
  const checksum = w.sha256;
  if (!(checksum instanceof Uint8Array) || checksum.length !== 32) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}.sha256: expected a 32-byte SHA-256 digest, got ${describe(checksum)}`, details);
  }
  if (!bytesEqual(sha256(data), checksum)) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: checksum mismatch (data corrupted in transit)`, details);
  }
  if (options.expectedLength !== undefined && length !== options.expectedLength) {
    throw new CrucibleError('UPDATE_REJECTED', `${field}: ${length} values, the model has ${options.expectedLength} parameters`, { ...details, length, expectedLength: options.expectedLength });
  }
  const values = bytesToFloat64(data);
  if (options.allowNonFinite !== true) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new CrucibleError('UPDATE_REJECTED', `${field}: value ${i} is ${values[i]} (updates must be finite)`, { ...details, index: i });
      }
    }
  }
  return values;
}

/** Named vectors (strategy state, SCAFFOLD controls, fit-result extras) in one self-checking blob. */
export type VectorBundle = Record<string, Float64Array>;

const bundleMagic = 0x43524231; // "CRB1"
const maxNameBytes = 256;
const maxBundleEntries = 4096;

/**
 * Frames named vectors as one blob: magic "CRB1", u32 entry count, then per entry u16 name length,
 * UTF-8 name, u32 value count, little-endian float64 values; a SHA-256 of everything before it ends
 * the blob. Entries are written in sorted name order so equal bundles give equal bytes.
 */
export function encodeBundle(bundle: VectorBundle): Uint8Array {
  const names = Object.keys(bundle).sort();
  const encodedNames = names.map((n) => Buffer.from(n, 'utf8'));
  let size = 8;
  for (let i = 0; i < names.length; i++) size += 2 + encodedNames[i].length + 4 + bundle[names[i]].length * 8;
  const out = new Uint8Array(size + 32);
  const view = new DataView(out.buffer);
  view.setUint32(0, bundleMagic, false);
  view.setUint32(4, names.length, true);
  let at = 8;
  for (let i = 0; i < names.length; i++) {
    const name = encodedNames[i];
    if (name.length > maxNameBytes) throw new RangeError(`encodeBundle: name '${names[i]}' is longer than ${maxNameBytes} bytes`);
    const values = bundle[names[i]];
    view.setUint16(at, name.length, true);
    out.set(name, at + 2);
    at += 2 + name.length;
    view.setUint32(at, values.length, true);
    out.set(float64ToBytes(values), at + 4);
    at += 4 + values.length * 8;
  }
  out.set(sha256(out.subarray(0, size)), size);
  return out;
}

/** Decodes a blob made by `encodeBundle`; MESSAGE_MALFORMED names what is wrong and at which byte. */
export function decodeBundle(blob: unknown, field = 'bundle'): VectorBundle {
  if (!(blob instanceof Uint8Array)) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected bytes, got ${describe(blob)}`, { field });
  }
  const fail = (what: string, at: number): never => {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: ${what} at byte ${at} of ${blob.length}`, { field, offset: at });
  };
  if (blob.length < 8 + 32) fail('too short for a bundle header and checksum', 0);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(0, false) !== bundleMagic) fail('bad magic (not a CRB1 bundle)', 0);
  const body = blob.length - 32;
  if (!bytesEqual(sha256(blob.subarray(0, body)), blob.subarray(body))) fail('checksum mismatch', body);
  const count = view.getUint32(4, true);
  if (count > maxBundleEntries) fail(`${count} entries exceeds the limit of ${maxBundleEntries}`, 4);
  const bundle: VectorBundle = Object.create(null) as VectorBundle;
  let at = 8;
  for (let i = 0; i < count; i++) {
    if (at + 2 > body) fail(`entry ${i}: truncated name length`, at);
    const nameLength = view.getUint16(at, true);
    if (nameLength > maxNameBytes || at + 2 + nameLength + 4 > body) fail(`entry ${i}: truncated or oversized name`, at);
    const name = Buffer.from(blob.subarray(at + 2, at + 2 + nameLength)).toString('utf8');
    at += 2 + nameLength;
    const n = view.getUint32(at, true);
    if (n * 8 > body - at - 4) fail(`entry '${name}': ${n} values do not fit in the remaining bytes`, at);
    if (name in bundle) fail(`entry '${name}' appears twice`, at);
    bundle[name] = bytesToFloat64(blob.subarray(at + 4, at + 4 + n * 8));
    at += 4 + n * 8;
  }
  if (at !== body) fail(`${body - at} trailing bytes after the last entry`, at);
  return bundle;
}

function toSafeCount(x: unknown): number | undefined {
  // proto-loader may hand 64/32-bit integers as numbers, strings or Long-like objects; accept only exact counts.
  const n = typeof x === 'string' && /^\d{1,15}$/.test(x) ? Number(x) : x;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof Uint8Array) return `${x.length} bytes`;
  if (typeof x === 'string') return `'${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}
