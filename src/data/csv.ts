/**
 * An incremental CSV tokenizer (RFC 4180): quoted fields with doubled quotes, line breaks inside
 * quotes, LF, CRLF or CR line ends, an optional UTF-8 byte-order mark. Text is pushed in chunks of
 * any size, so a file of any length streams through in bounded memory; each record carries the
 * 1-based line on which it starts, so errors can point into the file.
 *
 * It is strict rather than forgiving: a quote inside an unquoted field, text after a closing
 * quote, or an unterminated quote is an error, never guessed at.
 *
 * @example
 * const t = new CsvTokenizer({ file: 'a.csv' });
 * const records = [...t.push('t,u\r\n0,"1.5"\r\n'), ...t.end()];
 * // [{ fields: ['t', 'u'], line: 1 }, { fields: ['0', '1.5'], line: 2 }]
 */
import { CrucibleError } from '../errors.js';

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line of the file on which this record starts. */
  readonly line: number;
}

export interface CsvTokenizerOptions {
  /** Named in error messages. Default '(csv text)'. */
  file?: string;
  /** Field separator, one character. Default ','. */
  delimiter?: string;
  /** Longest field accepted, in characters; guards memory against a runaway quote. Default 1 000 000. */
  maxFieldLength?: number;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just saw a quote inside a quoted field: either an escaped quote or the closing one. */
  QuoteInQuoted,
}

export class CsvTokenizer {
  private readonly file: string;
  private readonly delimiter: number;
  private readonly maxFieldLength: number;
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  /** A CR just ended a record; a following LF belongs to the same line end. */
  private afterCr = false;
  private started = false;
  private ended = false;

  constructor(options: CsvTokenizerOptions = {}) {
    this.file = options.file ?? '(csv text)';
    const d = options.delimiter ?? ',';
    if (d.length !== 1 || d === '"' || d === '\r' || d === '\n') {
      throw new RangeError(`CsvTokenizer: delimiter must be one character other than a quote or line break, got ${JSON.stringify(d)}`);
    }
    this.delimiter = d.charCodeAt(0);
    this.maxFieldLength = options.maxFieldLength ?? 1_000_000;
  }

  /** Feeds the next chunk of text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    if (this.ended) throw new RangeError('CsvTokenizer.push: called after end()');
    const out: CsvRecord[] = [];
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.afterCr) {
        this.afterCr = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
        case State.Unquoted: {
          if (c === QUOTE) {
            if (this.state === State.Unquoted) this.fail(`unexpected quote inside an unquoted field`, this.line);
            this.state = State.Quoted;
            this.quoteLine = this.line;
            i++;
            break;
          }
          // Take the run of ordinary characters in one slice.
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === this.delimiter || d === CR || d === LF || d === QUOTE) break;
            j++;
          }
          if (j > i) {
            this.append(chunk.slice(i, j));
            this.state = State.Unquoted;
            i = j;
            break;
          }
          i++;
          if (c === this.delimiter) this.endField();
          else this.endRecord(out, c === CR);
          break;
        }
        case State.Quoted: {
          const j = chunk.indexOf('"', i);
          const end = j < 0 ? n : j;
          const piece = chunk.slice(i, end);
          this.append(piece);
          this.countLineBreaks(piece);
          if (j < 0) i = n;
          else {
            this.state = State.QuoteInQuoted;
            this.quotedCr = false;
            i = j + 1;
          }
          break;
        }
        case State.QuoteInQuoted: {
          if (c === QUOTE) {
            this.append('"');
            this.state = State.Quoted;
          } else if (c === this.delimiter) {
            this.endField();
          } else if (c === CR || c === LF) {
            this.endRecord(out, c === CR);
          } else {
            this.fail(`unexpected ${describeChar(c)} after a closing quote (a quote inside a quoted field is written "")`, this.line);
          }
          i++;
          break;
        }
      }
    }
    return out;
  }

  /** Signals the end of the text; returns the last record if the text did not end with a line break. */
  end(): CsvRecord[] {
    if (this.ended) return [];
    this.ended = true;
    if (this.state === State.Quoted) this.fail(`quoted field starting on line ${this.quoteLine} is never closed`, this.quoteLine);
    const out: CsvRecord[] = [];
    if (this.state !== State.FieldStart || this.fields.length > 0) this.endRecord(out, false);
    return out;
  }

  private append(s: string): void {
    this.field += s;
    if (this.field.length > this.maxFieldLength) {
      this.fail(`field longer than ${this.maxFieldLength} characters (an unbalanced quote?)`, this.recordLine);
    }
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(out: CsvRecord[], cr: boolean): void {
    this.endField();
    out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
    this.line++;
    this.recordLine = this.line;
    this.afterCr = cr;
  }

  /** Counts line ends inside quoted text; a CR and the LF after it (even in the next chunk) are one. */
  private countLineBreaks(s: string): void {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c === CR) {
        this.line++;
        this.quotedCr = true;
      } else {
        if (c === LF && !this.quotedCr) this.line++;
        this.quotedCr = false;
      }
    }
  }

  private quotedCr = false;

  private fail(message: string, line: number): never {
    throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${this.file}: line ${line}: ${message}`, {
      file: this.file,
      line,
    });
  }
}

function describeChar(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `character U+${c.toString(16).padStart(4, '0')}`;
}

/**
 * Splits a whole CSV text into records (the tokenizer in one call).
 *
 * @example
 * parseCsv('a,b\n1,2\n').map((r) => r.fields) // [['a', 'b'], ['1', '2']]
 */
export function parseCsv(text: string, options: CsvTokenizerOptions = {}): CsvRecord[] {
  const t = new CsvTokenizer(options);
  return [...t.push(text), ...t.end()];
}

/**
 * Quotes a field for writing when it needs it (delimiter, quote, line break, or surrounding spaces).
 *
 * @example
 * csvField('a,b') // '"a,b"'
 */
export function csvField(value: string, delimiter = ','): string {
  if (value.includes(delimiter) || /["\r\n]/.test(value) || value !== value.trim()) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}
