/**
 * Reading one cell as a number, strictly: a decimal number, a missing marker, or an error that
 * says what the cell held. Nothing is coerced (no "1,5" → 1.5, no "12abc" → 12, no Infinity).
 */

/** A cell that holds no value (empty, a missing token, null, or NaN in a binary file). */
export const MISSING: unique symbol = Symbol('missing');

/** A number, `MISSING`, or the reason the cell is not a number. */
export type CellValue = number | typeof MISSING | { readonly problem: string };

const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function show(text: string): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(cut);
}

function hasEdgeSpace(s: string): boolean {
  if (s.length === 0) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  return a === 0x20 || a === 0x09 || b === 0x20 || b === 0x09;
}

/** Reads a text cell as a decimal number; surrounding spaces and tabs are allowed. */
export function numberCell(raw: string, missingTokens: ReadonlySet<string>): CellValue {
  const text = hasEdgeSpace(raw) ? raw.replace(/^[ \t]+|[ \t]+$/g, '') : raw;
  if (text === '' || missingTokens.has(text)) return MISSING;
  if (!decimal.test(text)) return { problem: `${show(raw)} is not a number` };
  const v = Number(text);
  if (!Number.isFinite(v)) return { problem: `${show(raw)} overflows a float64` };
  return v;
}

/**
 * Reads an ISO 8601 timestamp as seconds since the Unix epoch. A timestamp without a zone is taken
 * as UTC; impossible dates (2024-02-30) are errors.
 */
export function isoCell(raw: string, missingTokens: ReadonlySet<string>): CellValue {
  const text = raw.trim();
  if (text === '' || missingTokens.has(text)) return MISSING;
  const m = iso.exec(text);
  if (m === null) return { problem: `${show(raw)} is not an ISO 8601 timestamp (e.g. 2024-03-01T12:00:00Z)` };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    second > 59
  ) {
    return { problem: `${show(raw)} is not a valid date and time` };
  }
  let seconds = ms / 1000 + (m[7] === undefined ? 0 : Number(m[7]));
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    seconds -= sign * offsetMin * 60;
  }
  return seconds;
}

/**
 * Reads a cell from a binary (Parquet) column: numbers as they are, bigint when exactly
 * representable, null/NaN as missing, strings strictly as text cells, Dates (when `allowDate`)
 * as seconds since epoch.
 */
export function binaryCell(raw: unknown, missingTokens: ReadonlySet<string>, allowDate: boolean): CellValue {
  if (raw === null || raw === undefined) return MISSING;
  if (typeof raw === 'number') {
    if (Number.isNaN(raw)) return MISSING;
    if (!Number.isFinite(raw)) return { problem: `${raw} is not a finite number` };
    return raw;
  }
  if (typeof raw === 'bigint') {
    const v = Number(raw);
    if (BigInt(v) !== raw) return { problem: `integer ${raw} cannot be represented exactly as a float64` };
    return v;
  }
  if (typeof raw === 'string') return allowDate ? isoCell(raw, missingTokens) : numberCell(raw, missingTokens);
  if (raw instanceof Date) {
    if (!allowDate) return { problem: `a timestamp (${raw.toISOString()}) where a number is expected` };
    const ms = raw.getTime();
    return Number.isNaN(ms) ? { problem: 'an invalid timestamp' } : ms / 1000;
  }
  if (typeof raw === 'boolean') return { problem: `boolean ${raw} where a number is expected` };
  return { problem: `a value of type ${typeof raw === 'object' ? (raw.constructor?.name ?? 'object') : typeof raw} where a number is expected` };
}
