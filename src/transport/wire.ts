/**
 * Mapping between the federation's messages (`TaskMessage`, `PlantReply`) and the protobuf objects
 * of `proto/crucible.proto` as @grpc/proto-loader presents them (snake_case fields, bytes as Buffer).
 *
 * The decoders take untrusted objects (a plant's upload, or a task on the plant side) and throw a
 * `CrucibleError` naming the field: MESSAGE_MALFORMED, MESSAGE_TOO_LARGE or UPDATE_REJECTED.
 *
 * @example
 * const wire = encodeTask('t-1', task, 0);
 * const { task: back } = decodeTask(wire);
 */
import { CrucibleError, errorCodes, type ErrorCode } from '../errors.js';
import type { ArrayRecord, BytesRecord, ConfigRecord, ConfigValue, PlantReply, TaskMessage } from '../federation/messages.js';
import { decodeVector, encodeVector, type WireVector } from './codec.js';

/** The protocol version this build speaks (RegisterRequest.protocol_version). */
export const protocolVersion = 1;

export interface WireTask {
  task_id: string;
  kind: string;
  run_id: string;
  round: number;
  config_json: string;
  arrays: Record<string, WireVector>;
  blobs: Record<string, Uint8Array>;
  deadline_unix_ms: number;
}

export interface WireResult {
  protocol_version: number;
  task_id: string;
  kind: string;
  run_id: string;
  round: number;
  plant_id: string;
  ok: boolean;
  num_examples: number;
  metrics: Record<string, number>;
  arrays: Record<string, WireVector>;
  blobs: Record<string, Uint8Array>;
  failure: { code: string; message: string } | null;
}

/** Limits applied while decoding. */
export interface DecodeLimits {
  /** Largest vector length accepted. */
  maxVectorLength?: number;
  /** Required lengths of named result arrays (e.g. `update` must match the model). */
  expectedLengths?: Readonly<Record<string, number>>;
}

const maxNames = 256;
const maxConfigJsonChars = 1 << 20;

/**
 * Encodes a task. `vectors` caches encodings by array identity across the tasks of one send: per-plant
 * tasks built around the same global parameters then checksum and copy them once, not once per plant.
 */
export function encodeTask(taskId: string, task: TaskMessage, deadlineUnixMs: number, vectors?: Map<Float64Array, WireVector>): WireTask {
  const encode = (v: Float64Array): WireVector => {
    let wire = vectors?.get(v);
    if (wire === undefined) {
      wire = encodeVector(v);
      vectors?.set(v, wire);
    }
    return wire;
  };
  return {
    task_id: taskId,
    kind: task.kind,
    run_id: task.runId,
    round: task.round,
    config_json: JSON.stringify(task.config),
    arrays: mapValues(task.arrays, encode),
    blobs: { ...(task.bytes ?? {}) },
    deadline_unix_ms: deadlineUnixMs,
  };
}

/** Decodes a task received by a plant. */
export function decodeTask(wire: unknown, limits: DecodeLimits = {}): { taskId: string; task: TaskMessage; deadlineUnixMs: number } {
  const w = asObject(wire, 'Task');
  const taskId = str(w.task_id, 'Task.task_id');
  const kind = str(w.kind, 'Task.kind');
  const runId = str(w.run_id, 'Task.run_id');
  const round = count(w.round, 'Task.round');
  const config = decodeConfig(w.config_json, 'Task.config_json');
  const arrays = decodeArrays(w.arrays, 'Task.arrays', limits, {});
  const bytes = decodeBlobs(w.blobs, 'Task.blobs');
  const deadlineUnixMs = count(w.deadline_unix_ms ?? 0, 'Task.deadline_unix_ms');
  const task: TaskMessage = { kind, runId, round, config, arrays, ...(Object.keys(bytes).length > 0 ? { bytes } : {}) };
  return { taskId, task, deadlineUnixMs };
}

export function encodeResult(taskId: string, reply: PlantReply): WireResult {
  const header = { protocol_version: protocolVersion, task_id: taskId, kind: reply.kind, run_id: reply.runId, round: reply.round, plant_id: reply.plantId };
  if (!reply.ok) {
    return { ...header, ok: false, num_examples: 0, metrics: {}, arrays: {}, blobs: {}, failure: { code: reply.failure.code, message: reply.failure.message } };
  }
  return {
    ...header,
    ok: true,
    num_examples: reply.numExamples,
    metrics: { ...reply.metrics },
    arrays: mapValues(reply.arrays, encodeVector),
    blobs: { ...(reply.bytes ?? {}) },
    failure: null,
  };
}

/** The header of a result, readable even when its body is malformed (so the round can record a failure). */
export interface ResultHeader {
  taskId: string;
  kind: string;
  runId: string;
  round: number;
  plantId: string;
}

export function decodeResultHeader(wire: unknown): ResultHeader {
  const w = asObject(wire, 'TaskResult');
  return {
    taskId: str(w.task_id, 'TaskResult.task_id'),
    kind: str(w.kind, 'TaskResult.kind'),
    runId: str(w.run_id, 'TaskResult.run_id'),
    round: count(w.round, 'TaskResult.round'),
    plantId: str(w.plant_id, 'TaskResult.plant_id'),
  };
}

/** Decodes a plant's uploaded result, validating every vector (finite, checksummed, right length). */
export function decodeResult(wire: unknown, limits: DecodeLimits = {}): PlantReply {
  const header = decodeResultHeader(wire);
  const w = wire as Record<string, unknown>;
  const base = { kind: header.kind, runId: header.runId, round: header.round, plantId: header.plantId };
  const details = { plantId: header.plantId, round: header.round, kind: header.kind };
  if (w.ok !== true) {
    const f = asObject(w.failure, 'TaskResult.failure');
    const code = str(f.code, 'TaskResult.failure.code');
    if (!(code in errorCodes)) throw new CrucibleError('MESSAGE_MALFORMED', `TaskResult.failure.code: unknown code '${code.slice(0, 60)}'`, details);
    return { ...base, ok: false, failure: { code: code as ErrorCode, message: str(f.message ?? '', 'TaskResult.failure.message').slice(0, 2000) } };
  }
  const numExamples = count(w.num_examples, 'TaskResult.num_examples');
  const metrics = asObject(w.metrics ?? {}, 'TaskResult.metrics');
  const metricEntries = Object.entries(metrics);
  if (metricEntries.length > maxNames) throw new CrucibleError('MESSAGE_TOO_LARGE', `TaskResult.metrics: ${metricEntries.length} metrics (limit ${maxNames})`, details);
  const metricValues: Record<string, number> = {};
  for (const [name, value] of metricEntries) {
    if (typeof value !== 'number') throw new CrucibleError('MESSAGE_MALFORMED', `TaskResult.metrics.${name}: expected a number`, details);
    metricValues[name] = value;
  }
  const arrays = decodeArrays(w.arrays, 'TaskResult.arrays', limits, details);
  const bytes = decodeBlobs(w.blobs, 'TaskResult.blobs');
  return { ...base, ok: true, numExamples, metrics: metricValues, arrays, ...(Object.keys(bytes).length > 0 ? { bytes } : {}) };
}

function decodeArrays(x: unknown, field: string, limits: DecodeLimits, details: Record<string, unknown>): ArrayRecord {
  const o = asObject(x ?? {}, field);
  const names = Object.keys(o);
  if (names.length > maxNames) throw new CrucibleError('MESSAGE_TOO_LARGE', `${field}: ${names.length} arrays (limit ${maxNames})`, details);
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    out[name] = decodeVector(o[name], {
      field: `${field}.${name}`,
      maxLength: limits.maxVectorLength,
      expectedLength: limits.expectedLengths?.[name],
      details,
    });
  }
  return out;
}

function decodeBlobs(x: unknown, field: string): BytesRecord {
  const o = asObject(x ?? {}, field);
  const out: Record<string, Uint8Array> = {};
  const names = Object.keys(o);
  if (names.length > maxNames) throw new CrucibleError('MESSAGE_TOO_LARGE', `${field}: ${names.length} blobs (limit ${maxNames})`);
  for (const name of names) {
    const b = o[name];
    if (!(b instanceof Uint8Array)) throw new CrucibleError('MESSAGE_MALFORMED', `${field}.${name}: expected bytes`, { field });
    out[name] = b;
  }
  return out;
}

function decodeConfig(x: unknown, field: string): ConfigRecord {
  if (typeof x !== 'string') throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected a string`, { field });
  const text = x;
  if (text.length > maxConfigJsonChars) throw new CrucibleError('MESSAGE_TOO_LARGE', `${field}: ${text.length} characters (limit ${maxConfigJsonChars})`, { field });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text === '' ? '{}' : text);
  } catch (e) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: not valid JSON (${(e as Error).message})`, { field });
  }
  const o = asObject(parsed, field);
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(o)) {
    const ok =
      v === null ||
      ['number', 'string', 'boolean'].includes(typeof v) ||
      (Array.isArray(v) && (v.every((e) => typeof e === 'number') || v.every((e) => typeof e === 'string')));
    if (!ok) throw new CrucibleError('MESSAGE_MALFORMED', `${field}.${k}: expected a number, string, boolean, null or a flat array`, { field });
    out[k] = v as ConfigValue;
  }
  return out;
}

function asObject(x: unknown, field: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected a message object`, { field });
  }
  return x as Record<string, unknown>;
}

function str(x: unknown, field: string): string {
  if (typeof x !== 'string') throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected a string`, { field });
  if (x.length > 4096) throw new CrucibleError('MESSAGE_TOO_LARGE', `${field}: ${x.length} characters (limit 4096)`, { field });
  return x;
}

function count(x: unknown, field: string): number {
  const n = typeof x === 'string' && /^\d{1,15}$/.test(x) ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${field}: expected a non-negative integer`, { field });
  }
  return n;
}

function mapValues<A, B>(o: Readonly<Record<string, A | undefined>>, f: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = f(v);
  return out;
}
