// Model selection on a VALIDATION block carved from each plant's training block (the test block is not used).
import { preparePlants } from '../src/demo/plants.ts';
import { compareTraining } from '../src/study/compare.ts';
import { fedAvg, fedProx, fedAdam } from '../src/federation/strategies/index.ts';
import { Tensor } from '../src/tensor/tensor.ts';
const scen = process.argv[2] ?? 'cstr';
const p = await preparePlants({ scenario: scen as any, seed: 7, dir: '/tmp/demo-t2-' + scen + process.argv[3], debutanizerFile: '../shared/data/debutanizer.csv' });
const rows = (t: Tensor, a: number, b: number) => new Tensor(b - a, t.cols, t.data.slice(a * t.cols, b * t.cols));
const plants = p.plants.map((x) => { const n = x.data.train.x.rows; const cut = Math.floor(n * 0.8);
  return { plantId: x.plantId, train: { x: rows(x.data.train.x, 0, cut), y: rows(x.data.train.y, 0, cut) }, test: { x: rows(x.data.train.x, cut, n), y: rows(x.data.train.y, cut, n) } }; });
const configs: Record<string, any> = {
  A_r30e3lr01: { rounds: 30, localEpochs: 3, learningRate: 0.01 },
  B_r60e1lr01: { rounds: 60, localEpochs: 1, learningRate: 0.01 },
  C_r60e1lr003: { rounds: 60, localEpochs: 1, learningRate: 0.003 },
  D_r60e1prox: { rounds: 60, localEpochs: 1, learningRate: 0.003, strategy: fedProx({ proximalMu: 0.1 }) },
  E_r90e1lr003: { rounds: 90, localEpochs: 1, learningRate: 0.003 },
};
const which = process.argv[3].split(',');
for (const k of which) {
  const t = Date.now();
  const r = await compareTraining(plants, { inputNames: p.inputNames, outputNames: p.outputNames, methods: k === 'central' ? ['local', 'centralized'] : ['federated'], central: { epochs: 90 }, federated: configs[k], seed: 7 });
  console.log(k, ((Date.now() - t) / 1000).toFixed(0) + 's', r.metrics.map((m) => `${m.plantId}:${m.method}:${m.mse.toFixed(4)}`).join(' '));
}
