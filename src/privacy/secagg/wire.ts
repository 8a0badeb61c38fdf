/**
 * Bytes for the SecAgg messages, so the state machines run over the network transport: each stage
 * message travels in the `bytes` of the federation's generic task/reply envelope. Small messages
 * (keys, roster, sealed shares, unmasking shares) are JSON with base64 fields; the masked input —
 * the only large one — is its raw little-endian words, 4 bytes per parameter.
 *
 * Decoding is strict: anything that does not parse into the expected shape is MESSAGE_MALFORMED,
 * naming the message.
 *
 * @example
 * const bytes = encodeRoster(roster);
 * decodeRoster(bytes) // deep-equals roster
 */
import { CrucibleError } from '../../errors.js';
import type { CodecPolicy } from './layout.js';
import type { AdvertisedKeys, MaskedInput, Roster, ShareDelivery, SharedKeys, UnmaskRequest, UnmaskShares } from './messages.js';

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: unknown, what: string): Uint8Array => {
  if (typeof s !== 'string') throw malformed(what, 'expected base64 text');
  return new Uint8Array(Buffer.from(s, 'base64'));
};

function malformed(what: string, why: string): CrucibleError {
  return new CrucibleError('MESSAGE_MALFORMED', `secure aggregation: cannot decode ${what}: ${why}`);
}

function toBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function fromBytes(bytes: Uint8Array | undefined, what: string): Record<string, unknown> {
  if (bytes === undefined) throw malformed(what, 'missing');
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw malformed(what, (e as Error).message);
  }
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw malformed(what, 'expected a string');
  return v;
}

function int(v: unknown, what: string): number {
  if (!Number.isInteger(v)) throw malformed(what, 'expected an integer');
  return v as number;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw malformed(what, 'expected a list');
  return v;
}

const keysJson = (k: AdvertisedKeys) => ({ plant: k.plant, encryptionKey: b64(k.encryptionKey), maskingKey: b64(k.maskingKey) });
const keysFrom = (v: Record<string, unknown>, what: string): AdvertisedKeys => ({
  plant: str(v.plant, what),
  encryptionKey: unb64(v.encryptionKey, what),
  maskingKey: unb64(v.maskingKey, what),
});

export const encodeAdvertisedKeys = (k: AdvertisedKeys): Uint8Array => toBytes(keysJson(k));
export const decodeAdvertisedKeys = (b: Uint8Array | undefined): AdvertisedKeys => keysFrom(fromBytes(b, 'advertised keys'), 'advertised keys');

export function encodeRoster(r: Roster): Uint8Array {
  return toBytes({ settings: { ...r.settings, graphSeed: b64(r.settings.graphSeed) }, plants: r.plants.map(keysJson) });
}

export function decodeRoster(b: Uint8Array | undefined): Roster {
  const v = fromBytes(b, 'roster');
  const s = (v.settings ?? {}) as Record<string, unknown>;
  return {
    settings: {
      round: str(s.round, 'roster round'),
      threshold: int(s.threshold, 'roster threshold'),
      degree: int(s.degree, 'roster degree'),
      minimumPlants: int(s.minimumPlants, 'roster minimumPlants'),
      graphSeed: unb64(s.graphSeed, 'roster graphSeed'),
    },
    plants: list(v.plants, 'roster plants').map((p) => keysFrom(p as Record<string, unknown>, 'roster entry')),
  };
}

export function encodeSharedKeys(m: SharedKeys): Uint8Array {
  return toBytes({ plant: m.plant, seedCommitment: b64(m.seedCommitment), shares: m.shares.map((s) => ({ to: s.to, ciphertext: b64(s.ciphertext) })) });
}

export function decodeSharedKeys(b: Uint8Array | undefined): SharedKeys {
  const v = fromBytes(b, 'shared keys');
  return {
    plant: str(v.plant, 'shared keys plant'),
    seedCommitment: unb64(v.seedCommitment, 'seed commitment'),
    shares: list(v.shares, 'shares').map((s) => {
      const e = s as Record<string, unknown>;
      return { to: str(e.to, 'share recipient'), ciphertext: unb64(e.ciphertext, 'share ciphertext') };
    }),
  };
}

export function encodeShareDelivery(d: ShareDelivery): Uint8Array {
  return toBytes({ shares: d.shares.map((s) => ({ from: s.from, ciphertext: b64(s.ciphertext) })) });
}

export function decodeShareDelivery(b: Uint8Array | undefined): ShareDelivery {
  const v = fromBytes(b, 'share delivery');
  return {
    shares: list(v.shares, 'delivered shares').map((s) => {
      const e = s as Record<string, unknown>;
      return { from: str(e.from, 'share sender'), ciphertext: unb64(e.ciphertext, 'share ciphertext') };
    }),
  };
}

/** The masked words as raw bytes (the plant id travels in the reply envelope). */
export function encodeMaskedInput(m: MaskedInput): Uint8Array {
  return new Uint8Array(m.masked.buffer, m.masked.byteOffset, m.masked.byteLength);
}

/**
 * The masked words of `b`, viewing its bytes where they are 4-byte aligned (the usual case for a
 * received message) and copying them otherwise: the coordinator only reads them, once, into the sum.
 */
export function decodeMaskedInput(plant: string, b: Uint8Array | undefined): MaskedInput {
  if (b === undefined || b.byteLength % 4 !== 0) throw malformed(`masked input of ${plant}`, `byte length ${b?.byteLength} is not a multiple of 4`);
  if (b.byteOffset % 4 === 0) return { plant, masked: new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4) };
  const masked = new Uint32Array(b.byteLength / 4);
  new Uint8Array(masked.buffer).set(b);
  return { plant, masked };
}

export const encodeUnmaskRequest = (r: UnmaskRequest): Uint8Array => toBytes({ survivors: r.survivors, dropped: r.dropped });

export function decodeUnmaskRequest(b: Uint8Array | undefined): UnmaskRequest {
  const v = fromBytes(b, 'unmask request');
  return {
    survivors: list(v.survivors, 'survivors').map((p) => str(p, 'survivor')),
    dropped: list(v.dropped, 'dropped').map((p) => str(p, 'dropped plant')),
  };
}

export function encodeUnmaskShares(m: UnmaskShares): Uint8Array {
  const shares = (l: UnmaskShares['seedShares']) => l.map((s) => ({ of: s.of, x: s.share.x, y: b64(s.share.y) }));
  return toBytes({ plant: m.plant, seedShares: shares(m.seedShares), keyShares: shares(m.keyShares) });
}

export function decodeUnmaskShares(b: Uint8Array | undefined): UnmaskShares {
  const v = fromBytes(b, 'unmask shares');
  const shares = (l: unknown, what: string) =>
    list(l, what).map((s) => {
      const e = s as Record<string, unknown>;
      return { of: str(e.of, what), share: { x: int(e.x, what), y: unb64(e.y, what) } };
    });
  return { plant: str(v.plant, 'unmask shares plant'), seedShares: shares(v.seedShares, 'seed shares'), keyShares: shares(v.keyShares, 'key shares') };
}

export const encodeCodecPolicy = (p: CodecPolicy): Uint8Array => toBytes(p);

export function decodeCodecPolicy(b: Uint8Array | undefined): CodecPolicy {
  const v = fromBytes(b, 'codec policy');
  const positive = (x: unknown, what: string): number => {
    if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) throw malformed(what, `expected a positive number, got ${JSON.stringify(x)}`);
    return x;
  };
  const record = (x: unknown, what: string): Record<string, number> => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw malformed(what, 'expected an object of numbers');
    return Object.fromEntries(Object.entries(x).map(([k, n]) => [k, positive(n, `${what} '${k}'`)]));
  };
  return {
    clipRange: typeof v.clipRange === 'number' ? positive(v.clipRange, 'codec policy clipRange') : record(v.clipRange, 'codec policy clipRange'),
    scale: v.scale === undefined ? undefined : record(v.scale, 'codec policy scale'),
    maxExamples: positive(int(v.maxExamples, 'codec policy maxExamples'), 'codec policy maxExamples'),
    exampleCap: v.exampleCap === undefined ? undefined : positive(v.exampleCap, 'codec policy exampleCap'),
  };
}

/** Any JSON value as bytes (the layout and codec settings that travel with the stages). */
export const encodeJson = toBytes;
export const decodeJson = fromBytes;
