import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { datasetFromColumns } from './dataset.js';
import { buildFeatures, featureColumns, segmentStarts } from './features.js';
import { parsePlantCsv } from './read-csv.js';
import { type FeatureSpec, plantSchema } from './schema.js';
import { splitFeatures, timeSplit } from './split.js';

const schema = plantSchema({
  time: { column: 't' },
  samplingInterval: 1,
  inputs: [
    { name: 'u', unit: '1' },
    { name: 'v', unit: '1' },
  ],
  outputs: [{ name: 'y', unit: '1' }],
});

/** Column values that encode their own row: u = 100 + i, v = 1000 + i², y = -i. */
function ramp(n: number) {
  const i = Array.from({ length: n }, (_, k) => k);
  return datasetFromColumns(schema, { u: i.map((k) => 100 + k), v: i.map((k) => 1000 + k * k), y: i.map((k) => -k) });
}

describe('time-series features', () => {
  it('places lagged values, differences and past outputs in a row-major design matrix', () => {
    const spec: FeatureSpec = { defaultLags: [0], lags: { u: [0, 2], y: [1] }, differences: { v: [0, 1] } };
    const table = buildFeatures(ramp(10), { spec });
    assert.deepEqual(table.names, ['u[t]', 'u[t-2]', 'v[t]', 'Δv[t]', 'Δv[t-1]', 'y[t-1]']);
    assert.equal(table.maxLag, 2);
    assert.deepEqual([...table.rowIndex], [2, 3, 4, 5, 6, 7, 8, 9]);
    const t = 5;
    const r = [...table.rowIndex].indexOf(t);
    const row = [...table.x.subarray(r * 6, r * 6 + 6)];
    assert.deepEqual(row, [100 + t, 100 + t - 2, 1000 + t * t, t * t - (t - 1) ** 2, (t - 1) ** 2 - (t - 2) ** 2, -(t - 1)]);
    assert.equal(table.y[r], -t);
  });

  it('is a static model of the inputs by default', () => {
    const table = buildFeatures(ramp(4));
    assert.deepEqual(table.names, ['u[t]', 'v[t]']);
    assert.equal(table.rows, 4);
  });

  it('refuses an output at lag 0 and unknown columns', () => {
    assert.throws(() => featureColumns(ramp(3), { defaultLags: [0], lags: { y: [0] }, differences: {} }), /output 'y' at lag 0 is the target itself/);
    assert.throws(() => featureColumns(ramp(3), { defaultLags: [0], lags: { w: [1] }, differences: {} }), /'w' is not an input or output/);
  });

  it('never builds a window across a gap in time, such as rows dropped as incomplete', () => {
    const s = plantSchema({ ...schema, missing: { policy: 'drop-rows' } });
    const ds = parsePlantCsv('t,u,v,y\n0,1,1,1\n1,2,2,2\n2,3,3,3\n3,,4,4\n4,5,5,5\n5,6,6,6\n6,7,7,7\n', s);
    assert.deepEqual([...ds.time], [0, 1, 2, 4, 5, 6]);
    assert.deepEqual([...segmentStarts(ds)], [0, 0, 0, 3, 3, 3]);
    const table = buildFeatures(ds, { spec: { defaultLags: [0, 1], lags: {}, differences: {} } });
    // Samples need rows t-1 and t in one stretch: rows 1, 2 (times 1, 2) and 4, 5 (times 5, 6).
    assert.deepEqual([...table.rowIndex], [1, 2, 4, 5]);
  });
});

describe('splitting by time', () => {
  it('lays out train, validation and test blocks in order with gaps between them', () => {
    assert.deepEqual(timeSplit(100, { train: 0.6, validation: 0.2, test: 0.2, gap: 5 }), {
      train: { start: 0, end: 54 },
      validation: { start: 59, end: 77 },
      test: { start: 82, end: 100 },
      gap: 5,
    });
    const noValidation = timeSplit(100, { train: 0.7, validation: 0, test: 0.3, gap: 4 });
    assert.deepEqual(noValidation.validation, { start: 67, end: 67 });
    assert.deepEqual(noValidation.test, { start: 71, end: 100 });
  });

  it('refuses a gap smaller than the max lag', () => {
    const spec: FeatureSpec = { defaultLags: [0, 3], lags: {}, differences: { u: [1] } };
    assert.throws(() => splitFeatures(ramp(100), { spec, gap: 2 }), /gap 2 is smaller than the features' max lag 3/);
  });

  it('never lets a validation or test sample read a row of an earlier block, whatever the lags and shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom([0.6, 0.2, 0.2], [0.5, 0, 0.5], [0.8, 0.1, 0.1]),
        (n, lags, diffs, extraGap, [train, validation, test]) => {
          const spec: FeatureSpec = { defaultLags: lags, lags: { y: [1, 2] }, differences: diffs.length > 0 ? { v: diffs } : {} };
          const maxLag = Math.max(...lags, 2, ...diffs.map((d) => d + 1));
          const ds = ramp(n);
          const s = splitFeatures(ds, { spec, train, validation, test, gap: maxLag + extraGap });
          assert.equal(s.train.maxLag, maxLag);
          const blocks = [
            [s.train, s.split.train, 0],
            [s.validation, s.split.validation, s.split.train.end],
            [s.test, s.split.test, validation > 0 ? s.split.validation.end : s.split.train.end],
          ] as const;
          for (const [table, range, firstReadable] of blocks) {
            for (let r = 0; r < table.rows; r++) {
              const t = table.rowIndex[r];
              assert.ok(t >= range.start && t < range.end, `target row ${t} outside its block`);
              // Every value in the window is a function of its row; recover the rows it read from u and v.
              for (let j = 0; j < table.features.length; j++) {
                const f = table.features[j];
                const earliest = t - f.lag - (f.kind === 'difference' ? 1 : 0);
                assert.ok(earliest >= firstReadable, `row ${t} reads row ${earliest} of an earlier block`);
                if (f.kind === 'value' && f.column === 'u') assert.equal(table.x[r * table.features.length + j], 100 + t - f.lag);
              }
            }
            // With gap ≥ max lag no sample of a later block is lost: every target row of the block is kept.
            if (range !== s.split.train) assert.equal(table.rows, range.end - range.start);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
