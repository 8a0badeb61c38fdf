import { preparePlants } from '../src/demo/plants.ts';
import { compareTraining } from '../src/study/compare.ts';
const t0 = Date.now();
const p = await preparePlants({ scenario: (process.argv[2] ?? 'cstr') as any, seed: 7, dir: '/tmp/demo-t1-' + (process.argv[2] ?? 'cstr'), debutanizerFile: '../shared/data/debutanizer.csv' });
console.log('prep', Date.now() - t0, p.inputNames.length, p.outputNames, p.plants.map(x => [x.plantId, x.split.train.rows, x.split.test.rows]));
const epochs = Number(process.argv[3] ?? 50);
const t1 = Date.now();
const r = await compareTraining(p.plants.map(x => x.data), { inputNames: p.inputNames, outputNames: p.outputNames, methods: ['local','centralized','federated'], central: { epochs }, federated: { rounds: Number(process.argv[4] ?? 30), localEpochs: Number(process.argv[5] ?? 2) }, seed: 1, onProgress: (s) => console.log(s, Date.now() - t1) });
for (const m of r.metrics) console.log(m.plantId, m.method, m.mse.toFixed(4), m.r2.toFixed(3));
