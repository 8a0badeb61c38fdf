import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CrucibleError } from '../errors.js';
import type { DataIssue } from './builder.js';
import { describeProvenance } from './dataset.js';
import { parsePlantCsv, readPlantCsv } from './read-csv.js';
import { type PlantSchemaInput, plantSchema } from './schema.js';

function schema(overrides: Partial<PlantSchemaInput> = {}) {
  return plantSchema({
    time: { column: 't', unit: 's' },
    samplingInterval: 1,
    inputs: [
      { name: 'F', unit: 'kg/s', min: 0, max: 10 },
      { name: 'T', unit: 'K', min: 250, max: 500 },
    ],
    outputs: [{ name: 'x', unit: '1', min: 0, max: 1 }],
    ...overrides,
  });
}

/** The DATA_INVALID error a read throws, with its issues. */
function invalid(fn: () => unknown): { message: string; issues: DataIssue[] } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CrucibleError, `expected a CrucibleError, got ${String(e)}`);
    assert.equal(e.code, 'DATA_INVALID');
    return { message: e.message, issues: e.details.issues as DataIssue[] };
  }
  assert.fail('expected the data to be rejected');
}

const good = 't,F,T,x\n0,1.5,300,0.1\n1,1.6,301,0.2\n2,1.7,302,0.3\n';

describe('reading plant CSV', () => {
  it('reads a valid file into column-major float64 arrays', () => {
    const ds = parsePlantCsv(good, schema(), { file: 'a.csv' });
    assert.equal(ds.length, 3);
    assert.deepEqual([...ds.time], [0, 1, 2]);
    assert.ok(ds.columns.F instanceof Float64Array);
    assert.deepEqual([...ds.columns.T], [300, 301, 302]);
    assert.deepEqual(ds.inputs, ['F', 'T']);
    assert.deepEqual(ds.outputs, ['x']);
    assert.equal(ds.units.T, 'K');
    assert.equal(ds.provenance.rowsRead, 3);
    assert.equal(ds.provenance.source, 'a.csv');
  });

  it('accepts columns in any order, quoted numbers, CRLF and blank lines', () => {
    const ds = parsePlantCsv('x,T,t,F\r\n0.1,"300",0,1\r\n\r\n0.2,301,1,2\r\n', schema(), { file: 'a.csv' });
    assert.deepEqual([...ds.columns.F], [1, 2]);
    assert.deepEqual([...ds.columns.x], [0.1, 0.2]);
    assert.equal(ds.provenance.blankLines, 1);
  });

  it('names a missing column and lists the header it saw', () => {
    const { message, issues } = invalid(() => parsePlantCsv('t,F,x\n0,1,0.1\n', schema(), { file: 'plants/a.csv' }));
    assert.match(message, /plants\/a\.csv/);
    assert.match(message, /column 'T': column missing \(header has "t", "F", "x"\)/);
    assert.equal(issues[0].column, 'T');
  });

  it('rejects an extra column unless the schema ignores it', () => {
    const text = 't,F,T,x,note\n0,1,300,0.1,ok\n';
    const { message } = invalid(() => parsePlantCsv(text, schema(), { file: 'a.csv' }));
    assert.match(message, /column 'note': extra column not in the schema \(header has "t", "F", "T", "x", "note"/);
    const ds = parsePlantCsv(text, schema({ ignoreColumns: ['note'] }));
    assert.equal(ds.length, 1);
    assert.equal(ds.columns.note, undefined);
  });

  it('rejects a column named twice in the header', () => {
    const { message } = invalid(() => parsePlantCsv('t,F,T,x,F\n0,1,300,0.1,1\n', schema(), { file: 'a.csv' }));
    assert.match(message, /column 'F': column appears 2 times in the header/);
  });

  it('rejects text in a number cell, naming file, row, line and column', () => {
    const text = 't,F,T,x\n0,1,300,0.1\n1,"1\n",300,0.1\n2,1.2.3,300,0.1\n';
    const { message, issues } = invalid(() => parsePlantCsv(text, schema(), { file: 'a.csv' }));
    assert.match(message, /Invalid plant data in a\.csv: 2 problems/);
    assert.match(message, /row 2 \(line 3\), column 'F': "1\\n" is not a number/);
    assert.match(message, /row 3 \(line 5\), column 'F': "1\.2\.3" is not a number/);
    assert.deepEqual(
      issues.map((i) => [i.file, i.row, i.line, i.column]),
      [
        ['a.csv', 2, 3, 'F'],
        ['a.csv', 3, 5, 'F'],
      ],
    );
  });

  it('does not coerce: decimal commas, units, hex and Infinity are text', () => {
    for (const cell of ['"1,5"', '1.5kg', '0x10', 'Infinity', '1e999', '--1']) {
      const { message } = invalid(() => parsePlantCsv(`t,F,T,x\n0,${cell},300,0.1\n`, schema(), { file: 'a.csv' }));
      assert.match(message, /row 1 \(line 2\), column 'F'/, cell);
    }
  });

  it('rejects a row with the wrong number of fields', () => {
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,1,300\n', schema(), { file: 'a.csv' }));
    assert.match(message, /row 1 \(line 2\): row has 3 fields, the header has 4/);
  });

  it('rejects empty and NaN cells under the reject policy', () => {
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,,300,0.1\n1,1,NaN,0.1\n', schema(), { file: 'a.csv' }));
    assert.match(message, /row 1 \(line 2\), column 'F': missing value \(empty cell; policy is reject\)/);
    assert.match(message, /row 2 \(line 3\), column 'T': missing value \("NaN"; policy is reject\)/);
  });

  it('drops incomplete rows under drop-rows and records how many', () => {
    const ds = parsePlantCsv('t,F,T,x\n0,1,300,0.1\n1,,301,0.2\n2,1.2,NA,0.3\n3,1.3,303,0.4\n', schema({ missing: { policy: 'drop-rows' } }));
    assert.deepEqual([...ds.time], [0, 3]);
    assert.equal(ds.provenance.rowsDropped, 2);
    assert.equal(ds.provenance.rowsRead, 4);
    assert.deepEqual(ds.provenance.missingPolicy, { policy: 'drop-rows' });
    assert.match(describeProvenance(ds.provenance), /missing-value policy: drop-rows; 2 rows dropped/);
  });

  it('forward-fills up to N samples, records the fills, and fails beyond N', () => {
    const s = schema({ missing: { policy: 'forward-fill', maxSamples: 2 } });
    const ds = parsePlantCsv('t,F,T,x\n0,1,300,0.1\n1,,301,0.2\n2,,,0.3\n3,4,303,0.4\n', s);
    assert.deepEqual([...ds.columns.F], [1, 1, 1, 4]);
    assert.deepEqual([...ds.columns.T], [300, 301, 301, 303]);
    assert.equal(ds.provenance.rowsFilled, 2);
    assert.deepEqual(ds.provenance.cellsFilled, { F: 2, T: 1 });
    assert.match(describeProvenance(ds.provenance), /forward-fill \(at most 2 samples\); 2 rows forward-filled \(cells F: 2, T: 1\)/);

    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,1,300,0.1\n1,,301,0.2\n2,,301,0.3\n3,,303,0.4\n', s, { file: 'a.csv' }));
    assert.match(message, /row 4 \(line 5\), column 'F': missing for more than 2 consecutive samples/);
  });

  it('cannot forward-fill the first row', () => {
    const s = schema({ missing: { policy: 'forward-fill', maxSamples: 2 } });
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,1,300,\n', s, { file: 'a.csv' }));
    assert.match(message, /row 1 \(line 2\), column 'x': missing value in the first kept row/);
  });

  it('rejects values outside physical bounds, or treats them as missing when told to', () => {
    const text = 't,F,T,x\n0,1,300,0.1\n1,1,200,0.1\n2,-0.5,300,0.1\n';
    const { message } = invalid(() => parsePlantCsv(text, schema(), { file: 'a.csv' }));
    assert.match(message, /row 2 \(line 3\), column 'T': 200 K is outside the physical bounds \[250, 500\] K/);
    assert.match(message, /row 3 \(line 4\), column 'F': -0.5 kg\/s is outside the physical bounds \[0, 10\] kg\/s/);

    const ds = parsePlantCsv(text, schema({ outOfBounds: 'missing', missing: { policy: 'drop-rows' } }));
    assert.deepEqual([...ds.time], [0]);
    assert.deepEqual(ds.provenance.cellsOutOfBounds, { T: 1, F: 1 });
  });

  it('rejects time that does not increase strictly', () => {
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,1,300,0.1\n5,1,300,0.1\n5,1,300,0.1\n4,1,300,0.1\n', schema(), { file: 'a.csv' }));
    assert.match(message, /row 3 \(line 4\), column 't': time 5 is not after the previous kept row's time 5 \(row 2\)/);
    assert.match(message, /row 4 \(line 5\), column 't': time 4 is not after/);
  });

  it('rejects a missing time even when other cells may be filled', () => {
    const s = schema({ missing: { policy: 'forward-fill', maxSamples: 3 } });
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n0,1,300,0.1\n,1,300,0.1\n', s, { file: 'a.csv' }));
    assert.match(message, /row 2 \(line 3\), column 't': time is missing/);
  });

  it('reads iso8601 timestamps as seconds since the epoch, zones included', () => {
    const s = schema({ time: { column: 't', format: 'iso8601' }, samplingInterval: 60 });
    const ds = parsePlantCsv('t,F,T,x\n2024-03-01T12:00:00Z,1,300,0.1\n2024-03-01 13:01:00+01:00,1,300,0.1\n2024-03-01T12:02:00.5,1,300,0.1\n', s);
    const t0 = Date.UTC(2024, 2, 1, 12) / 1000;
    assert.deepEqual([...ds.time], [t0, t0 + 60, t0 + 120.5]);
    const { message } = invalid(() => parsePlantCsv('t,F,T,x\n2024-02-30T00:00:00Z,1,300,0.1\n', s, { file: 'a.csv' }));
    assert.match(message, /row 1 \(line 2\), column 't': "2024-02-30T00:00:00Z" is not a valid date and time/);
  });

  it("reads and writes the schema's delimiter, so a decimal-comma locale's ';' files work", () => {
    const ds = parsePlantCsv('t;F;T;x\n0;1.5;300;0.1\n', schema({ delimiter: ';' }));
    assert.deepEqual([...ds.columns.F], [1.5]);
    const { message } = invalid(() => parsePlantCsv('t;F;T;x\n0;1,5;300;0.1\n', schema({ delimiter: ';' }), { file: 'a.csv' }));
    assert.match(message, /row 1 \(line 2\), column 'F': "1,5" is not a number/);
  });

  it('makes time from the sampling interval when the schema has no time column', () => {
    const ds = parsePlantCsv('F,T,x\n1,300,0.1\n2,300,0.1\n', schema({ time: undefined, samplingInterval: 30 }));
    assert.deepEqual([...ds.time], [0, 30]);
  });

  it('collects several problems, and stops after maxErrors', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},bad,300,0.1`).join('\n');
    const e = (() => {
      try {
        parsePlantCsv(`t,F,T,x\n${rows}\n`, schema(), { file: 'a.csv', maxErrors: 5 });
      } catch (err) {
        return err as CrucibleError;
      }
      assert.fail('expected an error');
    })();
    assert.equal((e.details.issues as DataIssue[]).length, 5);
    assert.equal(e.details.truncated, true);
    assert.match(e.message, /stopped after the first 5 problems/);
    assert.deepEqual((e.details.issues as DataIssue[]).map((i) => i.row), [1, 2, 3, 4, 5]);
  });

  it('rejects an empty file and a file with a header only', () => {
    assert.match(invalid(() => parsePlantCsv('', schema(), { file: 'a.csv' })).message, /a\.csv: the file is empty/);
    assert.match(invalid(() => parsePlantCsv('t,F,T,x\n', schema(), { file: 'a.csv' })).message, /the file has no data rows/);
  });

  it('streams a file from disk with the same result as parsing it in memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-csv-'));
    const lines = ['t,F,T,x'];
    for (let i = 0; i < 20000; i++) lines.push(`${i},${(i % 97) / 10},${300 + (i % 50)},"${(i % 10) / 10}"`);
    const text = `${lines.join('\r\n')}\r\n`;
    await writeFile(join(dir, 'big.csv'), text);
    const fromDisk = await readPlantCsv(join(dir, 'big.csv'), schema());
    const inMemory = parsePlantCsv(text, schema());
    assert.equal(fromDisk.length, 20000);
    assert.deepEqual(fromDisk.columns, inMemory.columns);
    assert.deepEqual(fromDisk.time, inMemory.time);
  });

  it('names the file when it cannot be opened', async () => {
    await assert.rejects(readPlantCsv('/nonexistent/plant.csv', schema()), /Cannot read plant data \/nonexistent\/plant\.csv/);
  });

  it('never crashes on random text: it returns a dataset or throws DATA_INVALID', () => {
    const cell = fc.oneof(fc.constantFrom('', '1', '300', '0.5', 'NaN', '"', ',', '\n', '\r\n', 'x', '-', 'e5', '1e3'), fc.string({ maxLength: 4 }));
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
      fc.array(cell, { maxLength: 60 }).map((cells) => `t,F,T,x\n${cells.join('')}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const ds = parsePlantCsv(t, schema({ missing: { policy: 'forward-fill', maxSamples: 2 } }));
          assert.ok(ds.length > 0);
          for (const c of Object.values(ds.columns)) for (const v of c) assert.ok(Number.isFinite(v));
        } catch (e) {
          assert.ok(e instanceof CrucibleError && e.code === 'DATA_INVALID', `unexpected error ${String(e)}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});
