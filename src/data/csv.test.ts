import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CrucibleError } from '../errors.js';
import { CsvTokenizer, csvField, parseCsv } from './csv.js';

const fields = (text: string): string[][] => parseCsv(text).map((r) => r.fields);

function tokenizeInChunks(text: string, cuts: number[]): { fields: string[]; line: number }[] {
  const t = new CsvTokenizer();
  const out = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...t.push(text.slice(at, c)));
    at = c;
  }
  out.push(...t.push(text.slice(at)), ...t.end());
  return out;
}

describe('CSV tokenizer', () => {
  it('splits plain records with or without a final line break', () => {
    assert.deepEqual(fields('a,b\n1,2\n'), [['a', 'b'], ['1', '2']]);
    assert.deepEqual(fields('a,b\n1,2'), [['a', 'b'], ['1', '2']]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    assert.deepEqual(fields('"a,b","say ""hi""","two\nlines"\n'), [['a,b', 'say "hi"', 'two\nlines']]);
    assert.deepEqual(fields('"",x\n'), [['', 'x']]);
  });

  it('treats CRLF, LF and CR line ends alike and keeps line numbers right', () => {
    const records = parseCsv('h1,h2\r\n1,2\r\n"a\r\nb",3\r\n4,5\r6,7\n');
    assert.deepEqual(
      records.map((r) => [r.fields, r.line]),
      [
        [['h1', 'h2'], 1],
        [['1', '2'], 2],
        [['a\r\nb', '3'], 3],
        [['4', '5'], 5],
        [['6', '7'], 6],
      ],
    );
  });

  it('drops a UTF-8 byte-order mark and keeps empty fields', () => {
    assert.deepEqual(fields('\uFEFFa,b,c\n1,,3\n,,\n'), [['a', 'b', 'c'], ['1', '', '3'], ['', '', '']]);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const text = 't,"u ""1"""\r\n0,"1,5"\r\n"x\r\ny",2\r\n3,4';
    const whole = parseCsv(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 6 }), (cuts) => {
        assert.deepEqual(tokenizeInChunks(text, cuts), whole);
      }),
    );
  });

  it('rejects a quote inside an unquoted field, naming the line', () => {
    assert.throws(() => parseCsv('a,b\n1,x"y\n', { file: 'f.csv' }), /f\.csv: line 2: unexpected quote inside an unquoted field/);
  });

  it('rejects text after a closing quote', () => {
    assert.throws(() => parseCsv('a\n"1"2\n', { file: 'f.csv' }), /line 2: unexpected '2' after a closing quote/);
  });

  it('rejects an unterminated quote, naming the line where it opened', () => {
    assert.throws(() => parseCsv('a\n1\n"open\n\n', { file: 'f.csv' }), (e: unknown) => {
      assert.ok(e instanceof CrucibleError && e.code === 'DATA_INVALID');
      assert.match(e.message, /f\.csv: line 3: quoted field starting on line 3 is never closed/);
      assert.equal(e.details.line, 3);
      return true;
    });
  });

  it('never crashes or hangs on random bytes: it returns records or throws DATA_INVALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const text = Buffer.from(bytes).toString('utf8');
        try {
          const records = parseCsv(text, { maxFieldLength: 1000 });
          for (const r of records) assert.ok(r.line >= 1 && Array.isArray(r.fields));
        } catch (e) {
          assert.ok(e instanceof CrucibleError && e.code === 'DATA_INVALID', `unexpected error ${String(e)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any fields through csvField quoting', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map((r) => r.map((c) => csvField(c)).join(',')).join('\r\n');
        assert.deepEqual(fields(text), rows);
      }),
    );
  });
});
