import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../errors.js';
import { Flowsheet } from './flowsheet.js';

const yaml = `
components: [A, B]
units:
  - { name: MIX, kind: mixer }
  - { name: R1, kind: reactor }
  - { name: SEP, kind: flash }
streams:
  - { name: feed, to: MIX.in1 }
  - { name: s1, from: MIX.out, to: R1.in }
  - { name: s2, from: R1.out, to: SEP.in }
  - { name: recycle, from: SEP.liquid, to: MIX.in2 }
  - { name: product, from: SEP.vapor }
`;

test('a flowsheet defined in YAML resolves every port to its stream', () => {
  const fs = Flowsheet.from(yaml, 'plant.yaml');
  assert.equal(fs.width, 4);
  assert.deepEqual(fs.feeds.map((s) => fs.streams[s].name), ['feed']);
  assert.deepEqual(fs.products.map((s) => fs.streams[s].name), ['product']);
  assert.deepEqual(fs.unit('SEP').outletStreams.map((s) => fs.streams[s].name), ['product', 'recycle']);
});

function rejects(text: string, pattern: RegExp, details?: Record<string, unknown>): void {
  assert.throws(
    () => Flowsheet.from(text, 'plant.yaml'),
    (e: unknown) => {
      assert.ok(isCrucibleError(e, 'CONFIG_INVALID'), String(e));
      assert.match(e.message, pattern);
      for (const [k, v] of Object.entries(details ?? {})) assert.equal(e.details[k], v);
      return true;
    },
  );
}

test('a disconnected port is reported with its unit and port', () => {
  rejects(yaml.replace('  - { name: recycle, from: SEP.liquid, to: MIX.in2 }\n', ''), /mixer 'MIX': inlet port 'in2' is not connected/, { unit: 'MIX', port: 'in2' });
});

test('an unknown unit is reported with the stream that names it', () => {
  rejects(yaml.replace('to: R1.in', 'to: R2.in'), /stream 's1': unknown unit 'R2'/, { unit: 'R2' });
});

test('an outlet used as an inlet is a port type mismatch naming unit and port', () => {
  rejects(yaml.replace('to: R1.in }', 'to: SEP.vapor }'), /port type mismatch.*SEP\.vapor is an outlet/, { unit: 'SEP', port: 'vapor' });
});

test('an unknown port lists the ports the unit has', () => {
  rejects(yaml.replace('from: SEP.vapor', 'from: SEP.top'), /flash 'SEP' has no port 'top' \(inlets: in; outlets: vapor, liquid\)/);
});

test('a port connected twice names both streams', () => {
  rejects(yaml.replace('{ name: product, from: SEP.vapor }', '{ name: product, from: SEP.liquid }'), /port SEP\.liquid is connected twice/);
});

test('schema errors name the field path', () => {
  rejects(yaml.replace('kind: reactor', 'kind: furnace'), /units\.1\.kind/);
  rejects('components: [A]\nunits: []\nstreams: []', /units: /);
  rejects('units: [', /not valid YAML/);
});
