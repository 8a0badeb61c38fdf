/**
 * Turns rows of raw cells (from a CSV or Parquet reader) into a validated `PlantDataset`: checks
 * the header against the schema, reads every cell strictly, applies the missing-value policy,
 * checks physical bounds and that time increases, and collects the first `maxErrors` problems —
 * each naming file, data row (1-based), line and column — before failing with one
 * `CrucibleError('DATA_INVALID')` that carries them all as structured details.
 *
 * @example
 * const b = new DatasetBuilder(schema, ['t', 'u', 'y'], { file: 'a.csv', format: 'csv' });
 * b.addRow(['0', '1.5', '3'], 2);
 * const ds = b.finish();
 */
import { CrucibleError } from '../errors.js';
import { type CellValue, MISSING, binaryCell, isoCell, numberCell } from './cells.js';
import type { DataProvenance, PlantDataset } from './dataset.js';
import { type ColumnSpec, type PlantSchema, dataColumns } from './schema.js';

/** One problem found in a data file. */
export interface DataIssue {
  readonly file: string;
  /** 1-based data row (the header is not counted); absent for header problems. */
  readonly row?: number;
  /** 1-based line of the file (CSV only). */
  readonly line?: number;
  readonly column?: string;
  readonly message: string;
}

export interface DatasetBuilderOptions {
  /** The file named in errors and provenance. */
  file: string;
  format: 'csv' | 'parquet';
  /** Stop and report after this many problems. Default 20. */
  maxErrors?: number;
  /** Whether raw cells are text (CSV) or typed values (Parquet). Default: text for csv. */
  cells?: 'text' | 'binary';
}

/** A Float64Array that grows by doubling. */
class GrowableColumn {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface Slot {
  readonly spec: ColumnSpec;
  readonly index: number;
  readonly column: GrowableColumn;
  /** Consecutive samples forward-filled so far. */
  run: number;
  filled: number;
  outOfBounds: number;
}

/** Formats issues as the lines of an error message. */
export function formatIssue(i: DataIssue): string {
  const where: string[] = [];
  if (i.row !== undefined) where.push(i.line !== undefined ? `row ${i.row} (line ${i.line})` : `row ${i.row}`);
  if (i.column !== undefined) where.push(`column '${i.column}'`);
  return where.length > 0 ? `${where.join(', ')}: ${i.message}` : i.message;
}

/** The DATA_INVALID error for a list of issues in one file. */
export function dataInvalid(file: string, issues: readonly DataIssue[], truncated: boolean): CrucibleError {
  const head = `Invalid plant data in ${file}: ${issues.length}${truncated ? '+' : ''} problem${issues.length === 1 ? '' : 's'}`;
  const body = issues.map((i) => `  ${formatIssue(i)}`).join('\n');
  const tail = truncated ? `\n  (stopped after the first ${issues.length} problems)` : '';
  return new CrucibleError('DATA_INVALID', `${head}\n${body}${tail}`, { file, issues, truncated });
}

export class DatasetBuilder {
  private readonly schema: PlantSchema;
  private readonly file: string;
  private readonly format: 'csv' | 'parquet';
  private readonly maxErrors: number;
  private readonly binary: boolean;
  private readonly headerLength: number;
  private readonly missingTokens: ReadonlySet<string>;
  private readonly slots: Slot[];
  private readonly timeIndex: number;
  private readonly time = new GrowableColumn();
  private readonly issues: DataIssue[] = [];
  private rowsRead = 0;
  private rowsDropped = 0;
  private rowsFilled = 0;
  private lastTimeRow = 0;

  constructor(schema: PlantSchema, header: readonly string[], options: DatasetBuilderOptions) {
    this.schema = schema;
    this.file = options.file;
    this.format = options.format;
    this.maxErrors = options.maxErrors ?? 20;
    this.binary = (options.cells ?? (options.format === 'csv' ? 'text' : 'binary')) === 'binary';
    this.headerLength = header.length;
    this.missingTokens = new Set(schema.missingTokens);
    this.checkHeader(header);
    const at = new Map(header.map((h, i) => [h, i]));
    this.timeIndex = schema.time ? (at.get(schema.time.column) as number) : -1;
    this.slots = dataColumns(schema).map((spec) => ({
      spec,
      index: at.get(spec.name) as number,
      column: new GrowableColumn(),
      run: 0,
      filled: 0,
      outOfBounds: 0,
    }));
  }

  private checkHeader(header: readonly string[]): void {
    const seen = `header has ${header.map((h) => JSON.stringify(h)).join(', ') || 'no columns'}`;
    const problems: DataIssue[] = [];
    const counts = new Map<string, number>();
    for (const h of header) counts.set(h, (counts.get(h) ?? 0) + 1);
    for (const [h, n] of counts) {
      if (n > 1) problems.push({ file: this.file, column: h, message: `column appears ${n} times in the header (${seen})` });
    }
    const wanted = [...(this.schema.time ? [this.schema.time.column] : []), ...dataColumns(this.schema).map((c) => c.name)];
    for (const w of wanted) {
      if (!counts.has(w)) problems.push({ file: this.file, column: w, message: `column missing (${seen})` });
    }
    const known = new Set([...wanted, ...this.schema.ignoreColumns]);
    for (const h of header) {
      if (!known.has(h)) {
        problems.push({
          file: this.file,
          column: h,
          message: `extra column not in the schema (${seen}; list it under ignoreColumns to skip it)`,
        });
      }
    }
    if (problems.length > 0) throw dataInvalid(this.file, problems, false);
  }

  /** Whether the builder has hit `maxErrors` (the reader may stop feeding rows). */
  get full(): boolean {
    return this.issues.length >= this.maxErrors;
  }

  private report(issue: Omit<DataIssue, 'file'>): void {
    this.issues.push({ file: this.file, ...issue });
    if (this.full) throw dataInvalid(this.file, this.issues, true);
  }

  private read(raw: unknown, isTime: boolean): CellValue {
    const allowDate = isTime && this.schema.time?.format === 'iso8601';
    if (this.binary) return binaryCell(raw, this.missingTokens, allowDate);
    const text = raw as string;
    return allowDate ? isoCell(text, this.missingTokens) : numberCell(text, this.missingTokens);
  }

  /** Adds one data row of raw cells in header order; `line` is the file line (CSV). */
  addRow(cells: ArrayLike<unknown>, line?: number): void {
    const row = ++this.rowsRead;
    const at = { row, line };
    if (cells.length !== this.headerLength) {
      this.report({ ...at, message: `row has ${cells.length} fields, the header has ${this.headerLength}` });
      return;
    }
    const policy = this.schema.missing;
    let bad = false;
    let drop = false;

    let t = 0;
    if (this.timeIndex >= 0) {
      const column = this.schema.time!.column;
      const v = this.read(cells[this.timeIndex], true);
      if (v === MISSING) {
        if (policy.policy === 'drop-rows') drop = true;
        else {
          this.report({ ...at, column, message: 'time is missing (time cannot be forward-filled)' });
          bad = true;
        }
      } else if (typeof v === 'object') {
        this.report({ ...at, column, message: v.problem });
        bad = true;
      } else t = v;
    }

    const values = new Float64Array(this.slots.length);
    const fills: boolean[] = [];
    for (let k = 0; k < this.slots.length; k++) {
      const slot = this.slots[k];
      const column = slot.spec.name;
      let v = this.read(cells[slot.index], false);
      if (typeof v === 'object') {
        this.report({ ...at, column, message: v.problem });
        bad = true;
        continue;
      }
      if (v !== MISSING && !withinBounds(v, slot.spec)) {
        if (this.schema.outOfBounds === 'reject') {
          this.report({ ...at, column, message: `${v} ${slot.spec.unit} is outside the physical bounds ${boundsText(slot.spec)}` });
          bad = true;
          continue;
        }
        slot.outOfBounds++;
        v = MISSING;
      }
      if (v !== MISSING) {
        values[k] = v;
        continue;
      }
      if (policy.policy === 'reject') {
        this.report({ ...at, column, message: `missing value (${describeRaw(cells[slot.index])}; policy is reject)` });
        bad = true;
      } else if (policy.policy === 'drop-rows') {
        drop = true;
      } else {
        const c = slot.column;
        if (c.length === 0) {
          this.report({ ...at, column, message: 'missing value in the first kept row: nothing to forward-fill from' });
          bad = true;
        } else if (slot.run + 1 > policy.maxSamples) {
          this.report({
            ...at,
            column,
            message: `missing for more than ${policy.maxSamples} consecutive samples (forward-fill limit)`,
          });
          bad = true;
        } else {
          values[k] = c.data[c.length - 1];
          fills[k] = true;
        }
      }
    }
    if (bad) return;
    if (drop) {
      this.rowsDropped++;
      return;
    }
    if (this.timeIndex >= 0) {
      const n = this.time.length;
      if (n > 0 && !(t > this.time.data[n - 1])) {
        const prev = this.time.data[n - 1];
        this.report({
          ...at,
          column: this.schema.time!.column,
          message: `time ${t} is not after the previous kept row's time ${prev} (row ${this.lastTimeRow}): time must increase strictly`,
        });
        return;
      }
      this.lastTimeRow = row;
    } else {
      t = this.time.length * this.schema.samplingInterval;
    }
    this.time.push(t);
    let anyFill = false;
    for (let k = 0; k < this.slots.length; k++) {
      const slot = this.slots[k];
      slot.column.push(values[k]);
      if (fills[k]) {
        slot.run++;
        slot.filled++;
        anyFill = true;
      } else slot.run = 0;
    }
    if (anyFill) this.rowsFilled++;
  }

  /** Ends the file: throws the collected problems, or returns the dataset. */
  finish(blankLines = 0): PlantDataset {
    if (this.issues.length > 0) throw dataInvalid(this.file, this.issues, false);
    if (this.time.length === 0) {
      const why = this.rowsRead === 0 ? 'the file has no data rows' : `all ${this.rowsRead} data rows were dropped as incomplete`;
      throw dataInvalid(this.file, [{ file: this.file, message: why }], false);
    }
    const columns: Record<string, Float64Array> = {};
    const units: Record<string, string> = {};
    const cellsFilled: Record<string, number> = {};
    const cellsOutOfBounds: Record<string, number> = {};
    for (const s of this.slots) {
      columns[s.spec.name] = s.column.values();
      units[s.spec.name] = s.spec.unit;
      if (s.filled > 0) cellsFilled[s.spec.name] = s.filled;
      if (s.outOfBounds > 0) cellsOutOfBounds[s.spec.name] = s.outOfBounds;
    }
    const provenance: DataProvenance = {
      source: this.file,
      format: this.format,
      rowsRead: this.rowsRead,
      rowsDropped: this.rowsDropped,
      rowsFilled: this.rowsFilled,
      cellsFilled,
      cellsOutOfBounds,
      blankLines,
      missingPolicy: this.schema.missing,
    };
    return {
      schema: this.schema,
      length: this.time.length,
      time: this.time.values(),
      inputs: this.schema.inputs.map((c) => c.name),
      outputs: this.schema.outputs.map((c) => c.name),
      columns,
      units,
      provenance,
    };
  }
}

function withinBounds(v: number, spec: ColumnSpec): boolean {
  return (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
}

function boundsText(spec: ColumnSpec): string {
  return `[${spec.min ?? '-∞'}, ${spec.max ?? '∞'}] ${spec.unit}`;
}

function describeRaw(raw: unknown): string {
  if (raw === null || raw === undefined) return 'null';
  if (typeof raw === 'number') return String(raw);
  return raw === '' ? 'empty cell' : JSON.stringify(raw);
}
