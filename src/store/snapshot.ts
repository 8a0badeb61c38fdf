/**
 * Serializes a JSON-like value that may contain Float64Arrays (strategy state: server-optimizer
 * moments, SCAFFOLD control variates, step counters) into JSON text plus one binary vector bundle, so
 * the store keeps numbers bit-exact (JSON would round-trip doubles but not NaN/-0 and is 2-3x larger)
 * and the state's shape stays free for each strategy.
 *
 * A Float64Array at any depth becomes `{"$vector": "<path>"}` in the JSON and an entry of the bundle.
 *
 * @example
 * const snap = encodeSnapshot({ step: 3, m: new Float64Array([0.1, 0.2]) });
 * decodeSnapshot(snap.json, snap.vectors); // { step: 3, m: Float64Array [0.1, 0.2] }
 */
import { CrucibleError } from '../errors.js';
import { decodeBundle, encodeBundle, type VectorBundle } from '../transport/codec.js';

export interface Snapshot {
  json: string;
  vectors: Uint8Array;
}

const vectorKey = '$vector';

/** Splits `value` into JSON text and a bundle of its Float64Arrays. */
export function encodeSnapshot(value: unknown): Snapshot {
  const bundle: VectorBundle = {};
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Float64Array) {
      bundle[path] = v;
      return { [vectorKey]: path };
    }
    if (ArrayBuffer.isView(v)) throw new TypeError(`encodeSnapshot: ${path} is a ${v.constructor.name}; only Float64Array is supported`);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}/${i}`));
    if (v !== null && typeof v === 'object') {
      if (v instanceof Map || v instanceof Set) throw new TypeError(`encodeSnapshot: ${path} is a ${v.constructor.name}; use a plain object or array`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}/${k}`);
      return out;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError(`encodeSnapshot: ${path} is ${v}; store non-finite numbers in a Float64Array`);
    return v;
  };
  const json = JSON.stringify(walk(value, '') ?? null);
  return { json, vectors: encodeBundle(bundle) };
}

/** Rebuilds the value from `encodeSnapshot`'s output; MESSAGE_MALFORMED if the parts do not match. */
export function decodeSnapshot(json: string, vectors: Uint8Array): unknown {
  const bundle = decodeBundle(vectors, 'snapshot.vectors');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new CrucibleError('MESSAGE_MALFORMED', `snapshot.json: not valid JSON (${(e as Error).message})`, { field: 'snapshot.json' });
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === vectorKey) {
        const ref = o[vectorKey];
        if (typeof ref !== 'string' || !(ref in bundle)) {
          throw new CrucibleError('MESSAGE_MALFORMED', `snapshot: vector reference ${JSON.stringify(ref)} has no data`, { field: 'snapshot.vectors' });
        }
        return bundle[ref];
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = walk(o[k]);
      return out;
    }
    return v;
  };
  return walk(parsed);
}
