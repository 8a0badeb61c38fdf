/**
 * `npm run bench -- hybrid`: the longer run of the dynamic van de Vusse kinetics study
 * (`src/hybrid/examples/cstr-dynamics-study.ts`): three plants' 1-min logs of 2000 samples (33 h)
 * each, every plant alone and all three federated, by federated Gauss–Newton (10 rounds) and, on
 * the same data, by first-order FedAdam (local SGD) — with wall times side by side. Not a test:
 * it asserts nothing; it prints what the study recovers and how fast each strategy gets there.
 */
import { cstrDynamicsStudy, type KineticsEstimate } from '../src/hybrid/examples/cstr-dynamics-study.js';
import { fedAdam } from '../src/federation/strategies/fed-opt.js';

const samples = 2000;
const fmt = (v: readonly number[], digits = 0): string => v.map((x) => x.toFixed(digits)).join(' / ');
const row = (label: string, e: KineticsEstimate): string =>
  `| ${label} | ${fmt(e.activationTemperatureK)} | ${fmt(e.relativeErrorE.map((x) => 100 * x), 1)} | ${fmt(e.standardErrorE)} | ${fmt(e.errorLogRate, 3)} | ${e.heldOutRmse.toFixed(4)} |`;

export async function run(): Promise<void> {
  for (const [name, options] of [
    ['Gauss–Newton, 10 rounds', { rounds: 10 }],
    ['FedAdam (server lr 0.1, local SGD lr 0.3), 300 rounds', { rounds: 300, strategy: () => fedAdam({ serverLearningRate: 0.1 }) }],
  ] as const) {
    const started = performance.now();
    const study = await cstrDynamicsStudy({ samples, ...options });
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n${name}: ${samples} samples per plant, ${study.plants.map((p) => `${p.plantId} ${p.rows} windows, T ${p.temperatureRangeC.map((t) => t.toFixed(0)).join('–')} °C`).join('; ')} — ${seconds.toFixed(1)} s for the 3 local fits and the federated one`);
    console.log(`true E/R [K] ${fmt(study.truth.activationTemperatureK)}, ln k(T_ref = ${study.referenceTemperatureC} °C) ${fmt(study.truth.logRateAtReference, 3)}`);
    console.log('| fit | E/R [K] | error of E [%] | s.e. of E [K] | error of ln k | held-out RMSE |');
    console.log('|---|---|---|---|---|---|');
    study.local.forEach((l, i) => console.log(row(`${study.plants[i].plantId} alone`, l)));
    console.log(row('federated', study.federated));
    console.log(`s.e. of E at the true kinetics: ${study.standardErrorEAtTruth.local.map((s, i) => `${study.plants[i].plantId} alone ${fmt(s)}`).join('; ')}; together ${fmt(study.standardErrorEAtTruth.federated)} K`);
    console.log(`federated heat transfer kA/(ρ c_p V): ${fmt(study.federated.heatTransferPerH, 1)} 1/h`);
  }
}
