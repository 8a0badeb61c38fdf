/**
 * `npm run bench -- hybrid`:
 * 1. the speed of the dynamic van de Vusse model's integration, side by side in one run: RK4 as one
 *    op with forward sensitivities (what the model uses) against the same balances unrolled on the
 *    tape (`integrateRk4`, written here with ops), forward + backward over one plant's windows;
 * 2. the longer run of the kinetics study (`src/hybrid/examples/cstr-dynamics-study.ts`): three
 *    plants' 1-min logs of 2000 samples (33 h) each, every plant alone and all three federated, by
 *    federated Gauss–Newton (10 rounds) and, on the same data, by first-order FedAdam (local SGD).
 * Not a test: it asserts nothing; it prints what the study recovers and how fast.
 */
import { cstrDynamicsStudy, type KineticsEstimate } from '../src/hybrid/examples/cstr-dynamics-study.js';
import { fedAdam } from '../src/federation/strategies/fed-opt.js';
import { cstrDynamicsPlants, cstrLogWindows, cstrWindowLayout, vanDeVusseDynamicModel } from '../src/hybrid/examples/cstr-dynamics.js';
import { kineticsParameters, steadyStateConcentrations } from '../src/hybrid/examples/cstr-kinetics.js';
import { HybridModel } from '../src/hybrid/hybrid-model.js';
import { integrateRk4 } from '../src/hybrid/ode.js';
import { predict } from '../src/nn/fit.js';
import { nominalVanDeVusse } from '../src/process/vanDeVusse.js';
import { generateCstrLog } from '../src/process/vanDeVusseLog.js';
import { backward } from '../src/tensor/autodiff.js';
import { add, concat, div, exp, mean, mul, sliceCols, square, sub } from '../src/tensor/ops/index.js';
import { Tensor } from '../src/tensor/tensor.js';

const samples = 2000;
const fmt = (v: readonly number[], digits = 0): string => v.map((x) => x.toFixed(digits)).join(' / ');
const row = (label: string, e: KineticsEstimate): string =>
  `| ${label} | ${fmt(e.activationTemperatureK)} | ${fmt(e.relativeErrorE.map((x) => 100 * x), 1)} | ${fmt(e.standardErrorE)} | ${fmt(e.errorLogRate, 3)} | ${e.heldOutRmse.toFixed(4)} |`;

/** The same model as `vanDeVusseDynamicModel` (substeps 1), its balances written with ops and unrolled on the tape. */
function unrolledModel(windowSamples: number): HybridModel {
  const W = windowSamples;
  const layout = cstrWindowLayout(W);
  const p0 = nominalVanDeVusse;
  const rhoCp = p0.densityKgPerL * p0.heatCapacityKJPerKgK;
  const heating = p0.reactionEnthalpyKJPerMol.map((h) => -h / rhoCp);
  const inverseReference = 1 / (110 + 273.15);
  return new HybridModel({
    inputSize: layout.inputSize, outputSize: 6,
    parameters: [...kineticsParameters({ referenceTemperatureC: 110 }), { name: 'heatTransferPerH', initial: 20, transform: { kind: 'log' }, scope: 'plant' }],
    equations: (p, x) => {
      const column = (j: number): Tensor => new Tensor(x.rows, 1, Float64Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]));
      const rates = (T: Tensor): Tensor[] => {
        const v = sub(div(Tensor.scalar(1), add(T, 273.15)), inverseReference);
        return [0, 1, 2].map((r) => exp(sub(sliceCols(p.logRateAtReference, r, r + 1), mul(v, sliceCols(p.activationTemperatureK, r, r + 1)))));
      };
      const T0 = column(layout.temperature);
      const [k1, k2, k3] = rates(T0);
      const start = steadyStateConcentrations(column(layout.dilution), column(layout.feed), [k1, k2, k3]);
      const jacket = (step: number, fraction: number): Tensor => {
        const a = column(layout.jacketTemperature + step);
        return fraction === 0 ? a : add(mul(a, 1 - fraction), mul(column(layout.jacketTemperature + step + 1), fraction));
      };
      const temperatures: Tensor[] = [];
      let cB: Tensor = start.cB;
      integrateRk4(({ step, fraction }, [cA, b, T]) => {
        const [r1k, r2k, r3k] = rates(T);
        const D = column(layout.dilution + step);
        const r1 = mul(r1k, cA);
        const r2 = mul(r2k, b);
        const r3 = mul(r3k, mul(cA, cA));
        return [
          sub(sub(mul(D, sub(column(layout.feed + step), cA)), r1), r3),
          sub(sub(r1, r2), mul(D, b)),
          add(add(mul(D, sub(column(layout.feedTemperature + step), T)), add(add(mul(r1, heating[0]), mul(r2, heating[1])), mul(r3, heating[2]))), mul(p.heatTransferPerH, sub(jacket(step, fraction), T))),
        ];
      }, [start.cA, start.cB, T0], { steps: W, stepSize: column(layout.dt), onStep: (step, [, b, T]) => { cB = b; if (step >= W - 5) temperatures.push(mul(T, 0.1)); } });
      return concat([cB, ...temperatures], 1);
    },
  });
}

function speed(): void {
  const config = cstrDynamicsPlants({ samples: 600 })[1];
  const windows = cstrLogWindows(generateCstrLog(config, { seed: 1 }), { windowSamples: 12, analyser: config.analyser });
  const fused = vanDeVusseDynamicModel({ referenceTemperatureC: 110, windowSamples: 12, substeps: 1 });
  const unrolled = unrolledModel(12);
  const gap = Math.max(...Array.from(predict(fused, windows.x).data, (v, i) => Math.abs(v - predict(unrolled, windows.x).data[i])));
  const time = (model: HybridModel): number => {
    const step = (): void => {
      model.parameters.zeroGrad();
      backward(mean(square(sub(model.forward(windows.x), windows.y))));
    };
    for (let i = 0; i < 10; i++) step();
    const started = performance.now();
    for (let i = 0; i < 40; i++) step();
    return (performance.now() - started) / 40;
  };
  // Interleaved twice, so load on the shared machine hits both alike.
  const [a1, b1, a2, b2] = [time(fused), time(unrolled), time(fused), time(unrolled)];
  console.log(`\nForward + backward over ${windows.x.rows} windows (W = 12, 12 RK4 steps, 3 states, 7 parameters; predictions agree to ${gap.toExponential(1)}):`);
  console.log(`| integration | ms per step (2 runs) |\n|---|---|\n| one op, forward sensitivities | ${a1.toFixed(2)} / ${a2.toFixed(2)} |\n| unrolled on the tape | ${b1.toFixed(2)} / ${b2.toFixed(2)} |`);
  console.log(`ratio unrolled / one op: ${(b1 / a1).toFixed(1)}× / ${(b2 / a2).toFixed(1)}×`);
}

export async function run(): Promise<void> {
  speed();
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
