import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCrucibleError } from '../errors.js';
import { coordinatorCommand } from '../cli/coordinator.js';
import { enrollCommand } from '../cli/enroll.js';
import { plantCommand } from '../cli/plant.js';
import { statusCommand } from '../cli/status.js';
import { CrucibleStore } from '../store/store.js';
import { coordinatorConfigSchema, parseConfig, plantConfigSchema, readConfigFile } from './config.js';
import { enrollPlant, revokePlant } from './enrollment.js';
import { startCoordinator } from './coordinatorRuntime.js';
import { startPlant } from './plantRuntime.js';
import { secureAggregationSettings } from './secureAggregation.js';

const minimal = { tls: 'insecure', model: { widths: [2, 4, 1] }, rounds: 3 };

test('a minimal federation.yaml gets its documented defaults', () => {
  const c = parseConfig(minimal, coordinatorConfigSchema, 'federation.yaml');
  assert.equal(c.listen.port, 7443);
  assert.equal(c.strategy.kind, 'fedavg');
  assert.deepEqual(c.timeouts, { waitForPlantsMs: 60_000, fitMs: 120_000, evaluateMs: 60_000 });
  assert.equal(c.maxMessageMiB, 64);
});

test('a config error names the file, the key and the allowed values', () => {
  assert.throws(
    () => parseConfig({ ...minimal, strategy: { kind: 'fedsgd' } }, coordinatorConfigSchema, 'fed.yaml'),
    (e) => isCrucibleError(e, 'CONFIG_INVALID') && /fed\.yaml/.test(e.message) && /strategy\.kind/.test(e.message) && /fedavg/.test(e.message) && /krum/.test(e.message),
  );
  assert.throws(
    () => parseConfig({ ...minimal, training: { optimizer: 'rmsprop' } }, coordinatorConfigSchema, 'fed.yaml'),
    (e) => isCrucibleError(e, 'CONFIG_INVALID') && /training\.optimizer/.test(e.message) && /sgd/.test(e.message) && /adam/.test(e.message),
  );
  assert.throws(
    () => parseConfig({ ...minimal, rounds: 0, colour: 'red' }, coordinatorConfigSchema, 'fed.yaml'),
    (e) => isCrucibleError(e, 'CONFIG_INVALID') && /rounds/.test(e.message) && /colour/.test(e.message),
  );
  assert.throws(
    () => parseConfig({ coordinator: 'no-port', token: 't', tls: 'insecure', model: { widths: [1, 1] }, data: { kind: 'csv', file: 'a.csv', schema: 's.yaml' } }, plantConfigSchema, 'plant.yaml'),
    (e) => isCrucibleError(e, 'CONFIG_INVALID') && /coordinator: expected host:port/.test(e.message),
  );
  // TLS is not optional: plaintext must be asked for by name.
  assert.throws(() => parseConfig({ model: { widths: [2, 1] }, rounds: 1 }, coordinatorConfigSchema, 'fed.yaml'), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /tls/.test(e.message));
  // A tls section missing a file names what is allowed.
  assert.throws(
    () => parseConfig({ ...minimal, tls: { ca: 'ca.pem', cert: 'c.pem' } }, coordinatorConfigSchema, 'fed.yaml'),
    (e) => isCrucibleError(e, 'CONFIG_INVALID') && /tls: expected 'insecure' or \{ ca, cert, key \}/.test(e.message),
  );
});

test('unreadable and unparsable config files are CONFIG_INVALID naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-config-'));
  try {
    await assert.rejects(readConfigFile(join(dir, 'missing.yaml'), coordinatorConfigSchema), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /missing\.yaml/.test(e.message));
    writeFileSync(join(dir, 'bad.yaml'), 'rounds: [1\n');
    await assert.rejects(readConfigFile(join(dir, 'bad.yaml'), coordinatorConfigSchema), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /bad\.yaml/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('enrolment writes secret files 0600, stores only hashes, and revocation marks the plant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-enroll-'));
  try {
    const storePath = join(dir, 'c.db');
    const enrolled = enrollPlant('plant-a', { storePath, pkiDir: join(dir, 'pki'), outDir: join(dir, 'out') });
    assert.equal(statSync(enrolled.files.key).mode & 0o777, 0o600);
    assert.equal(statSync(enrolled.files.token).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'pki', 'ca-key.pem')).mode & 0o777, 0o600);
    const store = CrucibleStore.open(storePath);
    const record = store.plants.get('plant-a');
    store.close();
    assert.equal(record?.certFingerprint, enrolled.fingerprint);
    assert.match(record?.tokenHash ?? '', /^[0-9a-f]{64}$/);
    assert.equal(revokePlant('plant-a', { storePath }), true);
    assert.equal(revokePlant('plant-zz', { storePath }), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command’s --help shows examples', () => {
  for (const command of [coordinatorCommand(), plantCommand(), enrollCommand(), statusCommand()]) {
    let help = '';
    command.configureOutput({ writeOut: (s) => (help += s) });
    command.outputHelp();
    assert.match(help, /Examples:\n {2}crucible /, command.name());
  }
});

test('secureAggregation is off by default, and its errors name the key and what is allowed', () => {
  assert.equal(parseConfig(minimal, coordinatorConfigSchema, 'fed.yaml').secureAggregation.enabled, false);
  const on = parseConfig({ ...minimal, secureAggregation: { enabled: true, threshold: 0.6 } }, coordinatorConfigSchema, 'fed.yaml');
  assert.deepEqual([on.secureAggregation.enabled, on.secureAggregation.variant, on.secureAggregation.threshold], [true, 'secagg+', 0.6]);
  const invalid = (config: object, ...patterns: RegExp[]) =>
    assert.throws(() => parseConfig(config, coordinatorConfigSchema, 'fed.yaml'), (e) => isCrucibleError(e, 'CONFIG_INVALID') && patterns.every((p) => p.test(e.message)));
  invalid({ ...minimal, secureAggregation: { enabled: true, variant: 'sec' } }, /secureAggregation\.variant/, /secagg\+/);
  invalid({ ...minimal, secureAggregation: { enabled: true, threshold: 0.4 } }, /secureAggregation\.threshold/, /strict majority/);
  invalid({ ...minimal, secureAggregation: { enabled: true, treshold: 3 } }, /secureAggregation/, /treshold/);
  // Strategies that need each plant's update are refused up front, naming the strategy key.
  for (const strategy of [{ kind: 'median' }, { kind: 'trimmed-mean' }, { kind: 'krum', byzantine: 1 }, { kind: 'scaffold' }]) {
    invalid({ ...minimal, strategy, secureAggregation: { enabled: true } }, /strategy\.kind/, new RegExp(`'${strategy.kind}' needs each plant's update`));
  }
  assert.equal(parseConfig({ ...minimal, strategy: { kind: 'median' } }, coordinatorConfigSchema, 'fed.yaml').strategy.kind, 'median');
  const plant = { coordinator: 'h:1', token: 't', tls: 'insecure', model: { widths: [1, 1] } };
  assert.equal(parseConfig(plant, plantConfigSchema, 'plant.yaml').secureAggregation.required, false);
  assert.throws(() => parseConfig({ ...plant, secureAggregation: { required: 'yes' } }, plantConfigSchema, 'plant.yaml'), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /secureAggregation\.required/.test(e.message));
  assert.equal(parseConfig(plant, plantConfigSchema, 'plant.yaml').secureAggregation.channelKeySessions, 10);
  assert.equal(parseConfig({ ...plant, secureAggregation: { channelKeySessions: 1 } }, plantConfigSchema, 'plant.yaml').secureAggregation.channelKeySessions, 1);
  assert.throws(() => parseConfig({ ...plant, secureAggregation: { channelKeySessions: 0 } }, plantConfigSchema, 'plant.yaml'), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /secureAggregation\.channelKeySessions/.test(e.message));
});

test('the model kind is chosen in the config; an unknown kind or key is an error naming it', () => {
  const invalid = (model: object, ...patterns: RegExp[]) =>
    assert.throws(() => parseConfig({ ...minimal, model }, coordinatorConfigSchema, 'fed.yaml'), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /fed\.yaml/.test(e.message) && patterns.every((p) => p.test(e.message)));
  invalid({ kind: 'tree' }, /model\.kind/, /neural, classifier, hybrid/, /"tree"/);
  invalid({ kind: 'neural', widths: [2, 1], hiden: [8] }, /unknown key\(s\) hiden/);
  invalid({ kind: 'hybrid', example: 'eaf-energy' }, /model\.materials/);
  // The coordinator has no data: a neural model needs its full widths.
  invalid({ kind: 'neural', hidden: [8] }, /model\.widths/);
  const hybrid = parseConfig({ ...minimal, model: { kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113 } }, coordinatorConfigSchema, 'fed.yaml');
  assert.equal(hybrid.model.kind, 'hybrid');
  // The earlier form (no kind) stays a neural model.
  assert.deepEqual(parseConfig(minimal, coordinatorConfigSchema, 'fed.yaml').model, { kind: 'neural', widths: [2, 4, 1], hidden: [32, 32], activation: 'tanh', seed: 0 });
});

test('a hybrid model config builds at the coordinator, and a plant whose data do not fit it is refused naming the model', async () => {
  const model = { kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113 };
  const coordinator = await startCoordinator(parseConfig({ ...minimal, model, store: ':memory:' }, coordinatorConfigSchema, 'fed.yaml'), { port: 0 });
  await coordinator.close();
  const dir = mkdtempSync(join(tmpdir(), 'crucible-hybrid-'));
  try {
    writeFileSync(join(dir, 'token'), 'plant-a.secret');
    const data = { kind: 'synthetic', seed: 1, rows: 20, weights: [1, 2], featureStd: [1, 1] };
    const config = parseConfig({ coordinator: '127.0.0.1:1', token: 'token', tls: 'insecure', model, data }, plantConfigSchema, join(dir, 'plant.yaml'));
    await assert.rejects(startPlant(config, { configPath: join(dir, 'plant.yaml') }), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /plant\.yaml/.test(e.message) && /cstr-kinetics.*takes 3 inputs.*data have 2 inputs/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a threshold fraction becomes a strict-majority count of each round’s neighbourhood', () => {
  const config = parseConfig({ ...minimal, secureAggregation: { enabled: true, threshold: 0.6 } }, coordinatorConfigSchema, 'fed.yaml').secureAggregation;
  // 3 plants: 2 neighbours, 3 share holders, ⌈0.6·3⌉ = 2; 20 plants: 14 neighbours (≈ 3·log2 20), ⌈0.6·15⌉ = 9.
  assert.deepEqual(secureAggregationSettings(config, 3), { variant: 'secagg+', degree: 2, threshold: 2, minimumPlants: undefined });
  assert.deepEqual(secureAggregationSettings(config, 20), { variant: 'secagg+', degree: 14, threshold: 9, minimumPlants: undefined });
  // More neighbours than other plants: the complete graph.
  assert.equal(secureAggregationSettings({ ...config, neighbours: 8 }, 4).degree, 3);
  assert.equal(secureAggregationSettings({ ...config, threshold: 10 }, 20).threshold, 10);
});
