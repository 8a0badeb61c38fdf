/**
 * A model as bytes: architecture as JSON, weights as little-endian float64, so a round trip is exact.
 * Pure functions over byte buffers; `save.ts` puts them in files.
 *
 * Layout: "CRUCMODL" (8 bytes) | format version u32 LE | header length u32 LE | header JSON (UTF-8)
 * | zero padding to a multiple of 8 | parameter values, float64 LE, in `Parameters` order.
 *
 * @example
 * const bytes = encodeModel(model);
 * const copy = decodeModel(bytes); // same spec, bit-identical weights
 */
import { z } from 'zod';
import { CrucibleError } from '../errors.js';
import { activationNames } from './activation.js';
import { Mlp } from './mlp.js';

const MAGIC = 'CRUCMODL';
const FORMAT_VERSION = 1;

const headerSchema = z.object({
  kind: z.literal('mlp'),
  spec: z.object({
    widths: z.array(z.number().int().positive()).min(2),
    activation: z.enum(activationNames as [string, ...string[]]),
    outputActivation: z.enum(activationNames as [string, ...string[]]),
    init: z.enum(['xavier', 'he']),
    seed: z.number(),
  }),
  parameters: z.array(z.object({ name: z.string(), rows: z.number().int(), cols: z.number().int(), offset: z.number().int() })),
  count: z.number().int().nonnegative(),
});

type Header = z.infer<typeof headerSchema>;

function malformed(message: string, details: Record<string, unknown> = {}): CrucibleError {
  return new CrucibleError('MESSAGE_MALFORMED', `decodeModel: ${message}`, details);
}

/** The model's architecture and weights as bytes (exact: weights stay float64). */
export function encodeModel(model: Mlp): Uint8Array {
  const params = model.parameters;
  const header: Header = {
    kind: 'mlp',
    spec: model.spec,
    parameters: params.entries.map((e) => ({ name: e.name, rows: e.rows, cols: e.cols, offset: e.offset })),
    count: params.count,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const weightsAt = Math.ceil((16 + json.length) / 8) * 8;
  const bytes = new Uint8Array(weightsAt + 8 * params.count);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  for (let i = 0; i < params.count; i++) view.setFloat64(weightsAt + 8 * i, params.values[i], true);
  return bytes;
}

/**
 * The model encoded by `encodeModel`. Bytes that are not such a model (wrong magic, version, header
 * or length) fail with a CrucibleError MESSAGE_MALFORMED saying which part is wrong.
 */
export function decodeModel(bytes: Uint8Array): Mlp {
  if (bytes.length < 16) throw malformed(`${bytes.length} bytes is too short for a model (header alone is 16)`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw malformed(`bytes start with '${magic.replace(/[^\x20-\x7e]/g, '?')}', expected '${MAGIC}'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw malformed(`format version ${version} is not supported (this build reads ${FORMAT_VERSION})`);
  const jsonLength = view.getUint32(12, true);
  if (16 + jsonLength > bytes.length) throw malformed(`header claims ${jsonLength} bytes but only ${bytes.length - 16} follow`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLength)));
  } catch (e) {
    throw malformed(`header is not JSON (${(e as Error).message})`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(`header field '${issue.path.join('.')}' is invalid: ${issue.message}`, { path: issue.path });
  }
  const header = parsed.data;
  const model = new Mlp(header.spec as ConstructorParameters<typeof Mlp>[0]);
  const params = model.parameters;
  const layout = params.entries.map((e) => `${e.name}[${e.rows}x${e.cols}]@${e.offset}`).join(' ');
  const saved = header.parameters.map((e) => `${e.name}[${e.rows}x${e.cols}]@${e.offset}`).join(' ');
  if (layout !== saved || header.count !== params.count) {
    throw malformed(`parameter layout '${saved}' does not match the architecture's '${layout}'`);
  }
  const weightsAt = Math.ceil((16 + jsonLength) / 8) * 8;
  const expected = weightsAt + 8 * params.count;
  if (bytes.length !== expected) throw malformed(`${bytes.length} bytes, expected ${expected} for ${params.count} float64 weights`);
  for (let i = 0; i < params.count; i++) params.values[i] = view.getFloat64(weightsAt + 8 * i, true);
  return model;
}
