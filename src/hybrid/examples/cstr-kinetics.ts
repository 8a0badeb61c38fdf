/**
 * Example 1 of hybrid models: the van de Vusse kinetics (A → B → C, 2A → D; Chen, Kremling &
 * Allgöwer 1995) estimated from steady-state operating data of several plants.
 *
 * The model is the CSTR's steady-state mass balances with Arrhenius rate constants, given the
 * measured reactor temperature T, dilution rate D and feed concentration cA0:
 *   0 = D(cA0 − cA) − k1 cA − k3 cA²   ⇒  cA = 2 D cA0 / (D + k1 + √((D + k1)² + 4 k3 D cA0))
 *   0 = −D cB + k1 cA − k2 cB          ⇒  cB = k1 cA / (D + k2)
 * In the usual k0·exp(−E/T) form, k0 and E are almost perfectly correlated over any practical
 * temperature range. The well-conditioned reparametrisation centres the Arrhenius law at a
 * reference temperature T_ref (Schwaab & Pinto, Chem. Eng. Sci. 2007):
 *   k_i(T) = exp(a_i − E_i (1/T − 1/T_ref)),   a_i = ln k_i(T_ref),
 * so a_i is the rate at the middle of the data and E_i only its temperature slope.
 *
 * A plant that runs in a narrow temperature band sees k_i(T) ≈ exp(a_i): its own data pin a_i but
 * not E_i. Plants in different bands together see the slope: the federated fit identifies all six.
 *
 * Data come from the simulator's steady states (`vanDeVusseSteadyState`) with a temperature
 * controller: each operating point draws D in the plant's window and a temperature setpoint in its
 * band, and the jacket duty Qk is solved for so that the steady state sits at the setpoint.
 *
 * @example
 * const data = cstrSteadyStateData(cstrKineticsPlants()[0], { seed: 1 });
 * const model = vanDeVusseKineticsModel({ referenceTemperatureC: 113 });
 * fit(model, data.x, data.y, { epochs: 300, optimizer: new Adam(model.parameters, { lr: 0.02 }) });
 */
import { bracketRoot } from '../../process/numeric/scalar.js';
import { nominalVanDeVusse, vanDeVusseSteadyState, type VanDeVusseParameters } from '../../process/vanDeVusse.js';
import { add, concat, div, exp, mul, sliceCols, sqrt, square, sub } from '../../tensor/ops/index.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { HybridModel, type PhysicalParameterSpec } from '../hybrid-model.js';
import { standardErrors } from '../identifiability.js';

const KELVIN = 273.15;

/** Columns of the example's data. */
export const cstrKineticsColumns = { inputs: ['D_per_h', 'cA0_mol_per_L', 'T_degC'], outputs: ['cA_mol_per_L', 'cB_mol_per_L'] } as const;

export interface CstrKineticsModelOptions {
  /** T_ref of the reparametrisation [°C]: the middle of the plants' temperatures. */
  readonly referenceTemperatureC: number;
  /** Initial rate constants at T_ref [k1, k2 in 1/h; k3 in L/(mol h)]. Default [30, 30, 3]. */
  readonly initialRateAtReference?: readonly [number, number, number];
  /** Initial activation temperatures E/R [K]. Default [8000, 8000, 8000]. */
  readonly initialActivationTemperatureK?: readonly [number, number, number];
  /** Bounds of E/R [K]. Default [0, 40000]. */
  readonly activationBoundsK?: readonly [number, number];
  /**
   * Add a plant-specific catalyst activity a (k1 → a·k1, parameter `logActivity` = ln a, initially 0,
   * scope 'plant'): catalysts age differently at each plant while the kinetics stay shared. Default false.
   */
  readonly plantActivity?: boolean;
}

/** The hybrid model: inputs [D, cA0, T] → outputs [cA, cB] (steady state). All parameters shared. */
export function vanDeVusseKineticsModel(options: CstrKineticsModelOptions): HybridModel {
  const inverseReference = 1 / (options.referenceTemperatureC + KELVIN);
  return new HybridModel({
    inputSize: 3,
    outputSize: 2,
    parameters: kineticsParameters(options),
    equations: (p, x) => {
      const D = sliceCols(x, 0, 1);
      const cA0 = sliceCols(x, 1, 2);
      const T = add(sliceCols(x, 2, 3), KELVIN);
      // k [n, 3] = exp(a − (1/T − 1/T_ref)·E), broadcast over rows.
      const k = exp(sub(p.logRateAtReference, mul(sub(div(Tensor.scalar(1), T), inverseReference), p.activationTemperatureK)));
      const k1 = options.plantActivity ? mul(sliceCols(k, 0, 1), exp(p.logActivity)) : sliceCols(k, 0, 1);
      const { cA, cB } = steadyStateConcentrations(D, cA0, [k1, sliceCols(k, 1, 2), sliceCols(k, 2, 3)]);
      return concat([cA, cB], 1);
    },
  });
}

/**
 * The kinetics' learnable parameters (shared unless said otherwise): ln k_i(T_ref), E_i/R, and
 * optionally a plant-specific catalyst activity. Also used by the dynamic model (`cstr-dynamics.ts`).
 */
export function kineticsParameters(options: CstrKineticsModelOptions): PhysicalParameterSpec[] {
  const [eLo, eHi] = options.activationBoundsK ?? [0, 40000];
  return [
    {
      name: 'logRateAtReference', initial: (options.initialRateAtReference ?? [30, 30, 3]).map(Math.log),
      description: 'ln k_i at T_ref (k1, k2 [1/h], k3 [L/(mol h)])',
    },
    {
      name: 'activationTemperatureK', initial: [...(options.initialActivationTemperatureK ?? [8000, 8000, 8000])],
      transform: { kind: 'bounded', lo: eLo, hi: eHi }, unit: 'K', description: 'E_i/R of the Arrhenius law',
    },
    ...(options.plantActivity ? [{ name: 'logActivity', initial: 0, scope: 'plant' as const, description: 'ln of this plant\'s catalyst activity (k1 factor); kept local' }] : []),
  ];
}

/**
 * The CSTR's steady state for given rate constants (all [n, 1]):
 *   0 = D(cA0 − cA) − k1 cA − k3 cA²   ⇒  cA = 2 D cA0 / (D + k1 + √((D + k1)² + 4 k3 D cA0))
 *   0 = −D cB + k1 cA − k2 cB          ⇒  cB = k1 cA / (D + k2)
 * (the root written without cancellation).
 */
export function steadyStateConcentrations(D: Tensor, cA0: Tensor, [k1, k2, k3]: readonly [Tensor, Tensor, Tensor]): { cA: Tensor; cB: Tensor } {
  const b = add(D, k1);
  const DcA0 = mul(D, cA0);
  const cA = div(mul(DcA0, 2), add(b, sqrt(add(square(b), mul(mul(k3, DcA0), 4)))));
  return { cA, cB: div(mul(k1, cA), add(D, k2)) };
}

/** The true values the model should recover, in its parametrisation. */
export function trueKinetics(parameters: VanDeVusseParameters, referenceTemperatureC: number): { logRateAtReference: number[]; activationTemperatureK: number[] } {
  const TK = referenceTemperatureC + KELVIN;
  return {
    logRateAtReference: parameters.preExponential.map((k0, i) => Math.log(k0) - parameters.activationTemperatureK[i] / TK),
    activationTemperatureK: [...parameters.activationTemperatureK],
  };
}

/** One plant of the example: where it operates and how well it measures. */
export interface CstrKineticsPlant {
  readonly plantId: string;
  /** Default: the published kinetics (`nominalVanDeVusse`). */
  readonly parameters?: VanDeVusseParameters;
  /** The reactor temperature band its controller keeps [°C]. */
  readonly temperatureBandC: readonly [number, number];
  readonly dilutionPerH: readonly [number, number];
  readonly feedTemperatureC: number;
  /** Mean feed concentration [mol/L]; each point scatters ±3 %. Default 5.1. */
  readonly feedConcentration?: number;
  readonly samples: number;
  /** Measurement noise std of cA, cB [mol/L] (default 0.02) and of T [°C] (default 0.1). */
  readonly concentrationNoise?: number;
  readonly temperatureNoiseC?: number;
}

/** Three plants in three narrow temperature bands (99–102, 112–115, 125–128 °C). */
export function cstrKineticsPlants(samples = 60): CstrKineticsPlant[] {
  return [
    { plantId: 'plant-a', temperatureBandC: [99, 102], dilutionPerH: [5, 30], feedTemperatureC: 100, samples },
    { plantId: 'plant-b', temperatureBandC: [112, 115], dilutionPerH: [5, 30], feedTemperatureC: 110, samples },
    { plantId: 'plant-c', temperatureBandC: [125, 128], dilutionPerH: [5, 30], feedTemperatureC: 120, samples },
  ];
}

/** A plant's data: x [n, 3] = (D, cA0, T measured), y [n, 2] = (cA, cB measured), and the true states. */
export interface CstrKineticsData {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly trueY: Tensor;
}

/** Steady-state operating points of one plant under temperature control (seeded). */
export function cstrSteadyStateData(plant: CstrKineticsPlant, options: { seed: number }): CstrKineticsData {
  const rng = new Rng(options.seed).fork(plant.plantId);
  const p = plant.parameters ?? nominalVanDeVusse;
  const n = plant.samples;
  const x = new Tensor(n, 3);
  const y = new Tensor(n, 2);
  const trueY = new Tensor(n, 2);
  const cNoise = plant.concentrationNoise ?? 0.02;
  const tNoise = plant.temperatureNoiseC ?? 0.1;
  for (let i = 0; i < n; i++) {
    const D = rng.uniform(plant.dilutionPerH[0], plant.dilutionPerH[1]);
    const setpoint = rng.uniform(plant.temperatureBandC[0], plant.temperatureBandC[1]);
    const cA0 = (plant.feedConcentration ?? 5.1) * (1 + rng.uniform(-0.03, 0.03));
    const inputs = (Qk: number) => ({ dilutionPerH: D, jacketDutyKJPerH: Qk, feedConcentration: cA0, feedTemperatureC: plant.feedTemperatureC });
    // Start Newton near the controlled state, so it converges to the steady state at this setpoint.
    const initialGuess = [2, 1, setpoint, setpoint];
    const steady = (q: number) => vanDeVusseSteadyState(p, inputs(q), { initialGuess });
    const Qk = bracketRoot((q) => steady(q).temperatureC - setpoint, -12000, 8000, 1e-10);
    if (Qk === null) throw new RangeError(`cstrSteadyStateData '${plant.plantId}': no jacket duty in [-12000, 8000] kJ/h holds T = ${setpoint.toFixed(1)} °C at D = ${D.toFixed(1)} 1/h`);
    const s = steady(Qk);
    x.data.set([D, cA0, s.temperatureC + rng.normal(0, tNoise)], i * 3);
    trueY.data.set([s.cA, s.cB], i * 2);
    y.data.set([s.cA + rng.normal(0, cNoise), s.cB + rng.normal(0, cNoise)], i * 2);
  }
  return { x, y, trueY };
}

/**
 * Local identifiability of the kinetics from data `x` with measurement noise `noiseStd`: the
 * standard errors of a_i = ln k_i(T_ref) and E_i/R [K] from the Gauss–Newton covariance
 * σ²(JᵀJ)⁻¹ at the model's current values (`standardErrors` in `../identifiability.ts`).
 * Large standard errors mean the data cannot determine the parameter.
 */
export function kineticsStandardErrors(model: HybridModel, x: Tensor, noiseStd: number): { logRateAtReference: number[]; activationTemperatureK: number[] } {
  const { shared } = standardErrors([{ model, x }], { noiseStd });
  return { logRateAtReference: shared.logRateAtReference, activationTemperatureK: shared.activationTemperatureK };
}
