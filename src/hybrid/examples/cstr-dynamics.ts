/**
 * Example 1b of hybrid models: the van de Vusse kinetics estimated from the plants' DYNAMIC sensor
 * logs (`generateCstrLog`: setpoint moves, feed disturbances, noisy sensors, a lagged analyser),
 * not from steady states.
 *
 * Model: the CSTR's mass balances with the Arrhenius rates of `cstr-kinetics.ts`
 * (k_i(T) = exp(a_i − E_i (1/T − 1/T_ref))),
 *   dcA/dt = D (cA0 − cA) − k1 cA − k3 cA²
 *   dcB/dt = −D cB + k1 cA − k2 cB,
 * integrated by fixed-step RK4 unrolled on the core's ops (`../ode.ts`), so the gradient of the
 * predicted analyser reading with respect to a_i and E_i is exact for the discrete solution.
 *
 * Measured temperature as an input. The reactor temperature is logged every sample; it enters
 * the rates as a known signal (linear between samples), which decouples the mass balances from
 * the energy balance — whose heat-transfer coefficient fouls and whose enthalpies are not what is
 * being estimated. (The same decoupling as "incremental" identification, Bardow & Marquardt 2004.)
 *
 * Multiple shooting over log windows. One row of data is one analyser result: the W samples of
 * inputs before the sample the analyser took, and its reading (which arrives a dead time later and
 * is held; `cstrLogWindows` undoes the lag). Each window starts at the model's own steady state for
 * its first inputs and integrates W sampling intervals forward with the logged inputs held over
 * each interval (zero-order hold, as the DCS applies them). The reactor forgets its initial state
 * within minutes (time constants 1/(D + k1 + 2 k3 cA) and 1/(D + k2), 1–3 min at these
 * operating points), so a 10-sample window makes the start-up error negligible — and rows are
 * independent, so minibatches, FedAvg weights and held-out splits work as for any model.
 *
 * Row layout (inputSize = 3W + 2): [Δt_h, D_0 … D_{W−1}, cA0_0 … cA0_{W−1}, T_0 … T_W] with Δt
 * the sampling interval [h], D [1/h], cA0 [mol/L] and T [°C]; output: cB at the window's end
 * [mol/L]. The rows' Δt may differ (plants that log every 30 s and every 120 s federate together).
 * The model is differentiable in its parameters; its inputs are read as constants.
 *
 * @example
 * const log = generateCstrLog(cstrDynamicsPlants()[0], { seed: 1 });
 * const { x, y } = cstrLogWindows(log, { windowSamples: 10, analyser: { sampleIntervalS: 300, deadTimeS: 120 } });
 * const model = vanDeVusseDynamicModel({ referenceTemperatureC: 110, windowSamples: 10 });
 */
import type { PlantDataset } from '../../process/dataset.js';
import { nominalVanDeVusse, type VanDeVusseParameters } from '../../process/vanDeVusse.js';
import { cstrPlantConfigSchema, type CstrPlantConfig } from '../../process/vanDeVusseLog.js';
import { add, concat, div, exp, matmul, mul, sliceCols, sub } from '../../tensor/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { HybridModel } from '../hybrid-model.js';
import { integrateRk4WithSensitivities, type OdeSystem } from '../ode.js';
import { kineticsParameters, steadyStateConcentrations, type CstrKineticsModelOptions } from './cstr-kinetics.js';

const KELVIN = 273.15;

export interface CstrDynamicModelOptions extends Omit<CstrKineticsModelOptions, 'plantActivity'> {
  /** Sampling intervals per window, W (≥ 1). */
  readonly windowSamples: number;
  /** Reactor temperatures per row in the output (the last m samples of the window). Default 5. */
  readonly temperatureOutputs?: number;
  /**
   * Factor on the temperature outputs: MSE then weighs a kelvin of temperature like
   * `temperatureOutputScale` mol/L of cB — the ratio of the two sensors' noise (0.01 mol/L vs
   * 0.1 K) makes it a weighted least-squares fit. Default 0.1.
   */
  readonly temperatureOutputScale?: number;
  /** RK4 steps per sampling interval. Default 2 (30 s steps at 1-min sampling). */
  readonly substeps?: number;
  /** Known thermochemistry and fluid: reaction enthalpies [kJ/mol], ρ·c_p [kJ/(L K)]. Default: the published plant. */
  readonly reactionEnthalpyKJPerMol?: readonly [number, number, number];
  readonly volumetricHeatCapacityKJPerLK?: number;
  /** Initial heat-transfer rate kA/(ρ c_p V) [1/h] of every plant. Default 20. */
  readonly initialHeatTransferPerH?: number;
}

/** Column layout of a window row, for `windowSamples` = W. */
export function cstrWindowLayout(windowSamples: number): { inputSize: number; dt: number; dilution: number; feed: number; feedTemperature: number; jacketTemperature: number; temperature: number } {
  if (!Number.isInteger(windowSamples) || windowSamples < 1) throw new RangeError(`cstr window: windowSamples must be a positive integer, got ${windowSamples}`);
  const W = windowSamples;
  return { inputSize: 4 * W + 3, dt: 0, dilution: 1, feed: 1 + W, feedTemperature: 1 + 2 * W, jacketTemperature: 1 + 3 * W, temperature: 2 + 4 * W };
}

/**
 * The dynamic kinetics model: a window of logged inputs → the analyser's cB at its end and the
 * reactor temperature at its last `temperatureOutputs` samples (times `temperatureOutputScale`).
 * Kinetics shared; the heat-transfer rate `heatTransferPerH` = kA/(ρ c_p V) is plant-specific
 * (reactor size, jacket fouling) and kept local.
 */
export function vanDeVusseDynamicModel(options: CstrDynamicModelOptions): HybridModel {
  const W = options.windowSamples;
  const layout = cstrWindowLayout(W);
  const substeps = options.substeps ?? 2;
  const m = options.temperatureOutputs ?? 5;
  const scale = options.temperatureOutputScale ?? 0.1;
  if (!Number.isInteger(substeps) || substeps < 1) throw new RangeError(`vanDeVusseDynamicModel: substeps must be a positive integer, got ${substeps}`);
  if (!Number.isInteger(m) || m < 0 || m > W) throw new RangeError(`vanDeVusseDynamicModel: temperatureOutputs must be an integer in [0, ${W}], got ${m}`);
  const inverseReference = 1 / (options.referenceTemperatureC + KELVIN);
  const rhoCp = options.volumetricHeatCapacityKJPerLK ?? nominalVanDeVusse.densityKgPerL * nominalVanDeVusse.heatCapacityKJPerKgK;
  // Heat each reaction releases, as a temperature rate per unit rate [K L/mol].
  const heating = (options.reactionEnthalpyKJPerMol ?? nominalVanDeVusse.reactionEnthalpyKJPerMol).map((h) => -h / rhoCp);
  // The outputs from the states after each sample [n, 3W]: cB at the end, scaled T at the last m samples.
  const selector = new Tensor(3 * W, 1 + m);
  selector.data[(3 * (W - 1) + 1) * (1 + m)] = 1;
  for (let j = 0; j < m; j++) selector.data[(3 * (W - m + j) + 2) * (1 + m) + 1 + j] = scale;
  return new HybridModel({
    inputSize: layout.inputSize,
    outputSize: 1 + m,
    parameters: [
      ...kineticsParameters(options),
      {
        name: 'heatTransferPerH', initial: options.initialHeatTransferPerH ?? 20, transform: { kind: 'log' }, scope: 'plant', unit: '1/h',
        description: 'kA/(ρ c_p V) of this reactor (size, jacket fouling); kept local',
      },
    ],
    equations: (p, x) => {
      const at = (i: number, column: number): number => x.data[i * x.cols + column];
      const column = (j: number): Tensor => new Tensor(x.rows, 1, Float64Array.from({ length: x.rows }, (_, i) => at(i, j)));
      // Start: the measured temperature, and the model's own steady state there for cA and cB.
      const T0 = column(layout.temperature);
      const k = exp(sub(p.logRateAtReference, mul(sub(div(Tensor.scalar(1), add(T0, KELVIN)), inverseReference), p.activationTemperatureK)));
      const start = steadyStateConcentrations(column(layout.dilution), column(layout.feed), [sliceCols(k, 0, 1), sliceCols(k, 1, 2), sliceCols(k, 2, 3)]);
      const theta = concat([p.logRateAtReference, p.activationTemperatureK, p.heatTransferPerH], 1);
      const states = integrateRk4WithSensitivities(
        cstrBalances(x, { windowSamples: W, substeps, inverseReference, heating }),
        theta,
        concat([start.cA, start.cB, T0], 1),
        { steps: W * substeps, stepSize: Float64Array.from({ length: x.rows }, (_, i) => at(i, layout.dt) / substeps), observeEvery: substeps },
      );
      return matmul(states, selector);
    },
  });
}

/**
 * The mass and energy balances of one window per row, over the states (cA, cB, T) and the
 * parameters θ = (a1, a2, a3, E1, E2, E3, h) [ln k at T_ref; E/R in K; kA/(ρ c_p V) in 1/h]:
 *   f_A = D (cA0 − cA) − r1 − r3,   f_B = r1 − r2 − D cB,
 *   f_T = D (T0 − T) + Σ_i c_i r_i + h (Tk − T),
 * r = (k1 cA, k2 cB, k3 cA²), k_i = exp(a_i − E_i v), v = 1/(T + 273.15) − 1/T_ref, c_i = −ΔH_i/(ρ c_p).
 * D, cA0, T0 are held over each sample; Tk is linear between samples.
 */
function cstrBalances(x: Tensor, o: { windowSamples: number; substeps: number; inverseReference: number; heating: readonly number[] }): OdeSystem {
  const layout = cstrWindowLayout(o.windowSamples);
  const [c1, c2, c3] = o.heating;
  return {
    stateSize: 3,
    parameterSize: 7,
    evaluate(row, { step, fraction }, y, th, { f, dfdy, dfdtheta }) {
      const base = row * x.cols;
      const t = (step + fraction) / o.substeps;
      const sample = Math.min(o.windowSamples - 1, Math.floor(step / o.substeps));
      const jacket = x.data[base + layout.jacketTemperature + sample] * (1 + sample - t) + x.data[base + layout.jacketTemperature + sample + 1] * (t - sample);
      const D = x.data[base + layout.dilution + sample];
      const cA0 = x.data[base + layout.feed + sample];
      const T0 = x.data[base + layout.feedTemperature + sample];
      const [cA, cB, T] = [y[0], y[1], y[2]];
      const TK = T + KELVIN;
      const v = 1 / TK - o.inverseReference;
      const k1 = Math.exp(th[0] - th[3] * v);
      const k2 = Math.exp(th[1] - th[4] * v);
      const k3 = Math.exp(th[2] - th[5] * v);
      const h = th[6];
      // ∂k_i/∂T = k_i E_i / T²
      const d1 = (k1 * th[3]) / (TK * TK);
      const d2 = (k2 * th[4]) / (TK * TK);
      const d3 = (k3 * th[5]) / (TK * TK);
      const r1 = k1 * cA;
      const r2 = k2 * cB;
      const r3 = k3 * cA * cA;
      f[0] = D * (cA0 - cA) - r1 - r3;
      f[1] = r1 - r2 - D * cB;
      f[2] = D * (T0 - T) + c1 * r1 + c2 * r2 + c3 * r3 + h * (jacket - T);
      dfdy[0] = -D - k1 - 2 * k3 * cA;
      dfdy[1] = 0;
      dfdy[2] = -(d1 * cA + d3 * cA * cA);
      dfdy[3] = k1;
      dfdy[4] = -k2 - D;
      dfdy[5] = d1 * cA - d2 * cB;
      dfdy[6] = c1 * k1 + 2 * c3 * k3 * cA;
      dfdy[7] = c2 * k2;
      dfdy[8] = -D + c1 * d1 * cA + c2 * d2 * cB + c3 * d3 * cA * cA - h;
      // ∂r_i/∂a_i = r_i, ∂r_i/∂E_i = −v r_i; rows f_A, f_B, f_T over (a1, a2, a3, E1, E2, E3, h).
      dfdtheta.fill(0);
      dfdtheta[0] = -r1;
      dfdtheta[2] = -r3;
      dfdtheta[3] = v * r1;
      dfdtheta[5] = v * r3;
      dfdtheta[7] = r1;
      dfdtheta[8] = -r2;
      dfdtheta[10] = -v * r1;
      dfdtheta[11] = v * r2;
      dfdtheta[14] = c1 * r1;
      dfdtheta[15] = c2 * r2;
      dfdtheta[16] = c3 * r3;
      dfdtheta[17] = -v * c1 * r1;
      dfdtheta[18] = -v * c2 * r2;
      dfdtheta[19] = -v * c3 * r3;
      dfdtheta[20] = jacket - T;
    },
  };
}

/** How the plant's cB analyser reports: every `sampleIntervalS`, each result `deadTimeS` after its sample. */
export interface AnalyserTiming {
  readonly sampleIntervalS: number;
  readonly deadTimeS: number;
}

/** One plant's windows: x [n, 4W + 3], y [n, 1 + m] (analyser cB, scaled T), trueY (noise-free, when the log has truth). */
export interface CstrWindowData {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly trueY?: Tensor;
}

export interface CstrLogWindowOptions extends Pick<CstrDynamicModelOptions, 'windowSamples' | 'temperatureOutputs' | 'temperatureOutputScale'> {
  readonly analyser: AnalyserTiming;
}

const logColumns = {
  dilution: 'D_per_h', feed: 'cA0_mol_per_L', feedTemperature: 'T0_degC', jacketTemperature: 'Tk_degC', temperature: 'T_degC', analyser: 'cB_analyser_mol_per_L',
} as const;

/**
 * The analyser results of a CSTR log as window rows (see the file comment). The analyser's sample
 * taken at row r (r a multiple of its interval in samples) is read where it is reported, at row
 * r + dead time; results whose window starts before the log or whose report falls after it are
 * left out. Options must match the model's. Errors name the plant and the column.
 */
export function cstrLogWindows(log: PlantDataset, options: CstrLogWindowOptions): CstrWindowData {
  const W = options.windowSamples;
  const m = options.temperatureOutputs ?? 5;
  const scale = options.temperatureOutputScale ?? 0.1;
  const layout = cstrWindowLayout(W);
  const where = `cstrLogWindows '${log.plantId}'`;
  for (const c of Object.values(logColumns)) {
    if (log.values[c] === undefined) throw new RangeError(`${where}: the log has no column '${c}' (has ${Object.keys(log.values).join(', ')})`);
  }
  const dtS = log.samplingIntervalS;
  if (dtS === undefined || !(dtS > 0)) throw new RangeError(`${where}: the log has no sampling interval`);
  const every = Math.round(options.analyser.sampleIntervalS / dtS);
  const delay = Math.round(options.analyser.deadTimeS / dtS);
  if (every < 1 || Math.abs(every * dtS - options.analyser.sampleIntervalS) > 1e-6 * dtS) {
    throw new RangeError(`${where}: analyser interval ${options.analyser.sampleIntervalS} s is not a whole number of ${dtS} s samples`);
  }
  const v = log.values;
  const rows: number[] = [];
  for (let r = Math.ceil(W / every) * every; r + delay < log.rowCount; r += every) rows.push(r);
  if (rows.length === 0) throw new RangeError(`${where}: ${log.rowCount} samples hold no analyser result with a ${W}-sample window`);
  const x = new Tensor(rows.length, layout.inputSize);
  const y = new Tensor(rows.length, 1 + m);
  const truth = log.truth;
  const trueY = truth.cB === undefined || truth.T === undefined ? undefined : new Tensor(rows.length, 1 + m);
  rows.forEach((r, i) => {
    const row = x.data.subarray(i * layout.inputSize, (i + 1) * layout.inputSize);
    row[layout.dt] = dtS / 3600;
    for (let k = 0; k < W; k++) {
      row[layout.dilution + k] = v[logColumns.dilution][r - W + k];
      row[layout.feed + k] = v[logColumns.feed][r - W + k];
      row[layout.feedTemperature + k] = v[logColumns.feedTemperature][r - W + k];
    }
    for (let k = 0; k <= W; k++) row[layout.jacketTemperature + k] = v[logColumns.jacketTemperature][r - W + k];
    row[layout.temperature] = v[logColumns.temperature][r - W];
    y.data[i * (1 + m)] = v[logColumns.analyser][r + delay];
    if (trueY !== undefined) trueY.data[i * (1 + m)] = truth.cB[r];
    for (let j = 0; j < m; j++) {
      y.data[i * (1 + m) + 1 + j] = scale * v[logColumns.temperature][r - m + 1 + j];
      if (trueY !== undefined) trueY.data[i * (1 + m) + 1 + j] = scale * truth.T[r - m + 1 + j];
    }
  });
  return { x, y, trueY };
}

const sensor = (noiseStd: number) => ({ noiseStd, bias: 0, driftPerH: 0 });

/**
 * Three plants with the published kinetics, each in a narrow operating window — cool
 * (94–103 °C), middle (112–116 °C), hot (122–126 °C) — logging every minute for `samples`
 * minutes, with noisy (unbiased) sensors and a cB analyser every 5 min reporting 2 min late
 * (noise 0.01 mol/L). `parameters` replaces the kinetics (e.g. an aged catalyst).
 */
export function cstrDynamicsPlants(options: { samples?: number; parameters?: VanDeVusseParameters } = {}): CstrPlantConfig[] {
  const windows: Array<[string, [number, number], number]> = [
    ['plant-a', [-4300, -3700], 100],
    ['plant-b', [-1600, -1000], 106],
    ['plant-c', [-300, 0], 112],
  ];
  return windows.map(([plantId, jacketDutyKJPerH, feedTemperatureC]) => cstrPlantConfigSchema.parse({
    plantId, parameters: options.parameters ?? nominalVanDeVusse,
    window: { dilutionPerH: [8, 24], jacketDutyKJPerH }, holdS: [900, 2700],
    feed: { concentrationMean: 5.1, concentrationStd: 0.1, temperatureMeanC: feedTemperatureC, temperatureStdC: 0.5, correlationTimeH: 1 },
    fouling: { timeConstantH: 300, floor: 0.8 }, samples: options.samples ?? 600, samplingIntervalS: 60,
    sensors: { D: sensor(0.05), Qk: sensor(10), cA0: sensor(0.02), T0: sensor(0.1), T: sensor(0.1), Tk: sensor(0.1) },
    analyser: { ...sensor(0.01), sampleIntervalS: 300, deadTimeS: 120 },
  }));
}
