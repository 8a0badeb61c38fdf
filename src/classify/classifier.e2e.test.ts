import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { isCrucibleError } from '../errors.js';
import type { ClassificationEvaluation } from '../federation/evaluation.js';
import { CrucibleStore } from '../store/store.js';
import { coordinatorConfigSchema, parseConfig, plantConfigSchema } from '../transport/config.js';
import { issuePlantToken } from '../transport/credentials.js';
import { startPlant, type RunningPlant } from '../transport/plantRuntime.js';
import { freePort, spawnCli, type CliProcess } from '../transport/test-support/processes.js';
import { castingDefects } from './defects.js';

/**
 * A rare-defect classifier through the deployment path: `crucible coordinator` (a process, its
 * `--json` round lines read) with `model.kind: classifier` and balanced class weights, three plants
 * over gRPC on loopback (in this process, `startPlant` — what `crucible plant` runs) reading CSV
 * casting logs; then `crucible status` and `crucible report` on the coordinator's store.
 */
const plantIds = ['plant-a', 'plant-b', 'plant-c'];
const classNames = ['in-spec', 'shrinkage', 'cracks'];
const rounds = 6;
const features = ['superheat_K', 'casting_speed_m_per_min', 'mould_water_L_per_min', 'C_wtpct', 'C_peritectic_distance_wtpct'];

function writePlantFiles(dir: string, id: string, i: number): void {
  const task = castingDefects({ samples: 700, seed: 70 + i, defectProneness: [-0.2, 0.1, 0.4][i], superheatShiftK: [-3, 0, 4][i] });
  const lines = [[...features, 'defect'].join(',')];
  for (let r = 0; r < task.x.rows; r++) lines.push([...Array.from(task.x.data.subarray(r * 5, r * 5 + 5), (v) => v.toPrecision(8)), task.labels[r]].join(','));
  writeFileSync(join(dir, `${id}.csv`), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, `${id}.schema.yaml`), YAML.stringify({
    description: `casting quality log of ${id}`, samplingInterval: 1,
    inputs: features.map((name) => ({ name, unit: name.split('_').slice(-1)[0] })),
    outputs: [{ name: 'defect', unit: '1', min: 0, max: 2, description: '0 in spec, 1 micro-shrinkage, 2 surface cracks' }],
  }));
  const { token, tokenHash } = issuePlantToken(id);
  const store = CrucibleStore.open(join(dir, 'crucible.db'));
  store.plants.enroll(id, { tokenHash });
  store.close();
  writeFileSync(join(dir, `${id}.token`), token);
}

const model = { kind: 'classifier', classes: 3, inputs: 5, hidden: [12], classWeights: 'balanced', classNames, seed: 2 };

describe('a rare-defect classifier through crucible coordinator and plants over gRPC', () => {
  let dir: string;
  const processes: CliProcess[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crucible-classifier-e2e-'));
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  });
  const spawn = (args: string[]): CliProcess => {
    const p = spawnCli(args, { cwd: dir });
    processes.push(p);
    return p;
  };

  it('trains with pooled class weights, and its classification metrics reach the round lines, the store, status and the report', async () => {
    plantIds.forEach((id, i) => writePlantFiles(dir, id, i));
    const port = await freePort();
    writeFileSync(join(dir, 'federation.yaml'), YAML.stringify({
      runId: 'casting', listen: { host: '127.0.0.1', port }, store: 'crucible.db', tls: 'insecure', model,
      strategy: { kind: 'fedavg' }, rounds, seed: 5, minPlants: 3, featureScaling: true, heartbeatIntervalMs: 300,
      training: { epochs: 4, batchSize: 64, learningRate: 0.03, optimizer: 'adam' },
      timeouts: { waitForPlantsMs: 30_000, fitMs: 20_000, evaluateMs: 20_000 },
    }));
    const coordinator = spawn(['coordinator', '--config', 'federation.yaml', '--json']);
    const abort = new AbortController();
    const plants: RunningPlant[] = [];
    try {
      await coordinator.waitFor((l) => l.type === 'listening', 30_000);
      for (const id of plantIds) {
        const path = join(dir, `${id}.yaml`);
        const config = {
          coordinator: `127.0.0.1:${port}`, token: `${id}.token`, tls: 'insecure', model,
          data: { kind: 'csv', file: `${id}.csv`, schema: `${id}.schema.yaml` }, splitSeed: 3, reconnect: { initialMs: 50, maxMs: 300 },
        };
        writeFileSync(path, YAML.stringify(config));
        plants.push(await startPlant(parseConfig(config, plantConfigSchema, path), { configPath: path, signal: abort.signal }));
      }
      await coordinator.waitFor((l) => l.type === 'completed', 60_000);
      assert.equal(await coordinator.exited, 0, coordinator.stderr());

      // The class weights came from the plants' pooled counts (rare classes weigh more).
      const weightsLine = coordinator.lines.find((l) => l.type === 'transport' && String(l.message).startsWith('class counts'));
      assert.ok(weightsLine !== undefined, 'no class-weights line');
      const [, counts, weights] = /class counts \[([^\]]+)\] → class weights \[([^\]]+)\]/.exec(String(weightsLine.message))!.map((s) => s?.split(', ').map(Number));
      assert.equal(counts!.reduce((a, b) => a + b, 0), plants.reduce((s, p) => s + p.numTrainExamples, 0));
      assert.ok(weights![1] > 5 * weights![0] && weights![2] > 5 * weights![0], `weights ${weights}`);

      // Every round line carries per-plant and pooled classification metrics.
      const roundLines = coordinator.lines.filter((l) => l.type === 'round');
      assert.equal(roundLines.length, rounds);
      for (const l of roundLines) assert.deepEqual(Object.keys((l.classification as ClassificationEvaluation).perPlant).sort(), plantIds);
      const last = roundLines[rounds - 1].classification as ClassificationEvaluation;
      const pooled = last.pooled;
      console.log(`  pooled after ${rounds} rounds: accuracy ${pooled.accuracy.toFixed(3)}, macro-F1 ${pooled.macroF1.toFixed(3)}, recall ${pooled.perClass.map((c) => c.recall.toFixed(2)).join('/')}, AUC ${pooled.auc.map((a) => a.toFixed(3)).join('/')}; confusion ${JSON.stringify(pooled.confusion)}`);
      assert.equal(pooled.count, Object.values(last.perPlant).reduce((s, c) => s + c.count, 0));
      assert.deepEqual(pooled.confusion, pooled.confusion.map((_, k) => Object.values(last.perPlant).reduce((s, c) => s + c.confusion[k], 0)));
      assert.ok(pooled.perClass[1].recall > 0.5 && pooled.perClass[2].recall > 0.5, `rare-class recall ${pooled.perClass.map((c) => c.recall)}`);
      assert.ok(pooled.auc.every((a) => a > 0.75), `AUC ${pooled.auc}`);

      const store = CrucibleStore.open(join(dir, 'crucible.db'));
      try {
        const stored = store.rounds('casting').at(-1)!.summary.classification as ClassificationEvaluation;
        assert.deepEqual(stored, last);
        const perPlant = store.metrics('casting', rounds).filter((m) => m.stage === 'evaluate' && m.plantId === 'plant-b')[0].values;
        assert.ok(perPlant.recall1 >= 0 && perPlant.auc2 > 0.5 && perPlant.numExamples > 0, JSON.stringify(perPlant));
      } finally {
        store.close();
      }

      const status = spawn(['status', '--store', 'crucible.db']);
      const report = spawn(['report', '--store', 'crucible.db', '--out', 'casting.html', '--json']);
      assert.equal(await status.exited, 0, status.stderr());
      assert.equal(await report.exited, 0, report.stderr());
      const statusText = status.lines.map((l) => String(l.text)).join('\n');
      assert.match(statusText, /6\/6 rounds done/);
      assert.match(statusText, /accuracy [\d.]+, macro-F1 [\d.]+, recall [\d./]+, AUC [\d./]+/);
      const html = readFileSync(String(report.lines.find((l) => l.type === 'report')!.path), 'utf8');
      assert.match(html, /Pooled confusion matrix/);
      for (const id of plantIds) assert.match(html, new RegExp(`Confusion matrix of ${id}`));
      assert.match(html, /<th>actual \\ predicted<\/th><th>in-spec<\/th><th>shrinkage<\/th><th>cracks<\/th>/);
      assert.ok(!/<script/i.test(html));
    } catch (e) {
      (e as Error).message += `\ncoordinator stderr:\n${coordinator.stderr()}\n${coordinator.lines.slice(0, 12).map((l) => JSON.stringify(l)).join('\n')}`;
      throw e;
    } finally {
      abort.abort();
      await Promise.all(plants.map((p) => p.connection.closed));
    }
  });

  it('names the offending key of a classifier config, and of bad labels', async () => {
    const bad = (value: object, schema: typeof coordinatorConfigSchema | typeof plantConfigSchema): string => {
      try {
        parseConfig(value, schema, 'federation.yaml');
      } catch (e) {
        assert.ok(isCrucibleError(e, 'CONFIG_INVALID'));
        return (e as Error).message;
      }
      return assert.fail('expected CONFIG_INVALID');
    };
    const coordinator = { tls: 'insecure', rounds: 1, model: { kind: 'classifier', classes: 3 } };
    assert.match(bad(coordinator, coordinatorConfigSchema), /model\.inputs: the coordinator needs the number of input features of a classifier/);
    assert.match(bad({ ...coordinator, model: { ...model, classWeights: [1, 2] } }, coordinatorConfigSchema), /model\.classWeights: has 2 entries for 3 classes/);
    // A plant whose labels do not fit model.classes is refused before it connects, naming the row.
    writeFileSync(join(dir, 'binary.yaml'), '');
    const path = join(dir, 'binary.yaml');
    const config = parseConfig({
      coordinator: '127.0.0.1:1', token: 'plant-a.token', tls: 'insecure', model: { ...model, classes: 2, classNames: undefined, classWeights: undefined },
      data: { kind: 'csv', file: 'plant-a.csv', schema: 'plant-a.schema.yaml' },
    }, plantConfigSchema, path);
    await assert.rejects(startPlant(config, { configPath: path }), (e) => isCrucibleError(e, 'CONFIG_INVALID') && /target at row \d+ of its data is 2; model\.classes is 2/.test(e.message));
  });
});
