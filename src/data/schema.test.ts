import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CrucibleError } from '../errors.js';
import { parsePlantSchema, plantSchema, readPlantSchema } from './schema.js';

const minimal = `
time: { column: t }
samplingInterval: 60
inputs: [{ name: F, unit: kg/s, min: 0, max: 10 }]
outputs: [{ name: x, unit: "1", min: 0, max: 1 }]
`;

function configError(fn: () => unknown): CrucibleError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CrucibleError, `expected a CrucibleError, got ${String(e)}`);
    assert.equal(e.code, 'CONFIG_INVALID');
    return e;
  }
  assert.fail('expected the schema to be rejected');
}

describe('plant data schema', () => {
  it('parses YAML and fills in the defaults', () => {
    const s = parsePlantSchema(minimal, 'a.yaml');
    assert.equal(s.time?.column, 't');
    assert.equal(s.time?.unit, 's');
    assert.equal(s.time?.format, 'number');
    assert.deepEqual(s.missing, { policy: 'reject' });
    assert.equal(s.outOfBounds, 'reject');
    assert.deepEqual(s.ignoreColumns, []);
    assert.equal(s.inputs[0].max, 10);
  });

  it('parses JSON, a subset of YAML', () => {
    const s = parsePlantSchema(
      JSON.stringify({
        samplingInterval: 1,
        inputs: [{ name: 'u', unit: '1' }],
        outputs: [{ name: 'y', unit: '1' }],
        missing: { policy: 'forward-fill', maxSamples: 2 },
        features: { defaultLags: [0, 1], lags: { y: [1, 2] } },
      }),
      'a.json',
    );
    assert.deepEqual(s.missing, { policy: 'forward-fill', maxSamples: 2 });
    assert.deepEqual(s.features?.lags, { y: [1, 2] });
    assert.deepEqual(s.features?.differences, {});
  });

  it('names the file and the key path of every problem', () => {
    const e = configError(() =>
      parsePlantSchema(
        `
samplingInterval: -1
inputs: [{ name: F, unit: kg/s, min: 5, max: 1 }]
outputs: [{ name: x, unit: "1", colour: red }]
missing: { policy: forward-fill }
`,
        'plants/a.schema.yaml',
      ),
    );
    assert.match(e.message, /plants\/a\.schema\.yaml/);
    assert.match(e.message, /samplingInterval:/);
    assert.match(e.message, /inputs\[0\]\.max: min must not exceed max/);
    assert.match(e.message, /outputs\[0\]: .*colour/);
    assert.match(e.message, /missing\.maxSamples:/);
    const paths = (e.details.issues as { path: string }[]).map((i) => i.path);
    assert.ok(paths.includes('inputs[0].max'));
  });

  it('rejects a column declared twice', () => {
    const e = configError(() =>
      plantSchema({ samplingInterval: 1, inputs: [{ name: 'a', unit: '1' }], outputs: [{ name: 'a', unit: '1' }] }, 's.yaml'),
    );
    assert.match(e.message, /outputs\[0\]\.name: column 'a' is declared twice \(first at inputs\.0\.name\)/);
  });

  it('rejects an output used as a feature at lag 0 and features of unknown columns', () => {
    const e = configError(() =>
      plantSchema(
        {
          samplingInterval: 1,
          inputs: [{ name: 'u', unit: '1' }],
          outputs: [{ name: 'y', unit: '1' }],
          features: { lags: { y: [0, 1], w: [1] } },
        },
        's.yaml',
      ),
    );
    assert.match(e.message, /features\.lags\.y: output 'y' at lag 0 is the target itself/);
    assert.match(e.message, /features\.lags\.w: 'w' is not an input or output column/);
  });

  it('requires seconds for iso8601 time', () => {
    const e = configError(() =>
      plantSchema({
        time: { column: 't', format: 'iso8601', unit: 'h' },
        samplingInterval: 1,
        inputs: [{ name: 'u', unit: '1' }],
        outputs: [{ name: 'y', unit: '1' }],
      }),
    );
    assert.match(e.message, /time\.unit: iso8601 timestamps are stored in seconds/);
  });

  it('reports a YAML syntax error with the file name', () => {
    const e = configError(() => parsePlantSchema('inputs: [unclosed', 'bad.yaml'));
    assert.match(e.message, /Cannot parse plant data schema bad\.yaml/);
  });

  it('reads a schema file and names a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-schema-'));
    await writeFile(join(dir, 'a.yaml'), minimal);
    const s = await readPlantSchema(join(dir, 'a.yaml'));
    assert.equal(s.samplingInterval, 60);
    await assert.rejects(readPlantSchema(join(dir, 'none.yaml')), (e: unknown) => {
      assert.ok(e instanceof CrucibleError);
      assert.match(e.message, /none\.yaml/);
      return true;
    });
  });
});
