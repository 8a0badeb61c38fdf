/**
 * The cumene flowsheet (commercial layout after Luyben 2010) with three nested recycles — benzene to
 * the alkylator, benzene to the transalkylator, DIPB — and its first-principles steady-state
 * simulation. Operating conditions vary per case; sizes, splits and temperatures are assumed
 * (docs/flowsheets.md lists them).
 *
 * @example
 * const sim = simulateCumene([nominalCumeneConditions]);
 * sim.streams.cumene[0]; // cumene product stream of case 0
 */
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { Flowsheet } from '../flowsheet.js';
import type { FlowsheetSpecInput } from '../spec.js';
import { type FlowsheetInputs, SequentialModular, type UnitModel } from '../sequential.js';
import { type TearSolution, assertConverged, solveTears } from '../solvers.js';
import { A, B, P, PRESSURE, T, WIDTH, alkylator, cumeneComponents, feedMixer, numericUnit, plainMixer, splitModel, splitter, transalkylator } from './units.js';

export const cumeneFlowsheetSpec: FlowsheetSpecInput = {
  components: [...cumeneComponents],
  units: [
    { name: 'MIX', kind: 'mixer', inlets: 2 },
    { name: 'R1', kind: 'reactor' },
    { name: 'FL', kind: 'flash' },
    { name: 'M2', kind: 'mixer', inlets: 2 },
    { name: 'C1', kind: 'column' },
    { name: 'SP', kind: 'splitter', outlets: 2 },
    { name: 'C2', kind: 'column' },
    { name: 'C3', kind: 'column' },
    { name: 'M3', kind: 'mixer', inlets: 2 },
    { name: 'TA', kind: 'reactor' },
  ],
  streams: [
    { name: 'propyleneFeed', to: 'MIX.in1' },
    { name: 'reactorFeed', from: 'MIX.out', to: 'R1.in' },
    { name: 'reactorOut', from: 'R1.out', to: 'FL.in' },
    { name: 'offgas', from: 'FL.vapor' },
    { name: 'flashLiquid', from: 'FL.liquid', to: 'M2.in1' },
    { name: 'benzeneColumnFeed', from: 'M2.out', to: 'C1.in' },
    { name: 'benzeneOverhead', from: 'C1.top', to: 'SP.in' },
    { name: 'benzeneRecycle', from: 'SP.out1', to: 'MIX.in2' },
    { name: 'benzeneToTA', from: 'SP.out2', to: 'M3.in1' },
    { name: 'benzeneBottoms', from: 'C1.bottom', to: 'C2.in' },
    { name: 'cumene', from: 'C2.top' },
    { name: 'cumeneBottoms', from: 'C2.bottom', to: 'C3.in' },
    { name: 'dipbRecycle', from: 'C3.top', to: 'M3.in2' },
    { name: 'heavies', from: 'C3.bottom' },
    { name: 'transalkylatorFeed', from: 'M3.out', to: 'TA.in' },
    { name: 'transalkylatorOut', from: 'TA.out', to: 'M2.in2' },
  ],
};

/** Per-case operating conditions (the randomized inputs of the data generator). */
export interface CumeneConditions {
  /** Fresh propylene, kmol/h. */
  propyleneFeed: number;
  /** Propane mole fraction of the C3 feed. */
  propaneFraction: number;
  /** Benzene/propylene molar ratio at the alkylator inlet (make-up controller setpoint). */
  benzeneRatio: number;
  alkylatorTemperatureK: number;
  /** Fraction of the benzene overhead sent to the transalkylator. */
  splitToTransalkylator: number;
  /** Per-pass DIPB conversion in the transalkylator. */
  transalkylatorConversion: number;
}

/** Assumed plant constants: a plant is the process plus these. */
export interface CumenePlant {
  alkylatorVolumeM3: number;
  alkylatorPressureBar: number;
}

export const nominalCumenePlant: CumenePlant = { alkylatorVolumeM3: 30, alkylatorPressureBar: 25 };

export const nominalCumeneConditions: CumeneConditions = {
  propyleneFeed: 100,
  propaneFraction: 0.05,
  benzeneRatio: 2,
  alkylatorTemperatureK: 630,
  splitToTransalkylator: 0.4,
  transalkylatorConversion: 0.5,
};

/** Operating window: [low, high] per condition. */
export const cumeneConditionRanges: Record<keyof CumeneConditions, [number, number]> = {
  propyleneFeed: [80, 120],
  propaneFraction: [0.02, 0.08],
  benzeneRatio: [1.6, 2.6],
  alkylatorTemperatureK: [615, 645],
  splitToTransalkylator: [0.25, 0.55],
  transalkylatorConversion: [0.35, 0.65],
};

export interface SampleConditionsOptions {
  /**
   * Spread around nominal as a fraction of each range's half-width (truncated normal std); 'uniform'
   * samples the whole window. Default 'uniform'.
   */
  spread?: number | 'uniform';
  /** Other ranges for some conditions (their nominal becomes the range's midpoint). */
  window?: Partial<Record<keyof CumeneConditions, [number, number]>>;
}

/**
 * A tighter recycle: more of the benzene overhead goes round the transalkylator loop and less DIPB
 * reacts per pass, so the recycles carry more and the loop gain is higher.
 */
export const tightRecycleWindow: Partial<Record<keyof CumeneConditions, [number, number]>> = {
  splitToTransalkylator: [0.55, 0.8],
  transalkylatorConversion: [0.2, 0.4],
};

/** `count` operating points from a seeded generator. */
export function sampleCumeneConditions(count: number, seed: number, options: SampleConditionsOptions = {}): CumeneConditions[] {
  const rng = new Rng(seed);
  const spread = options.spread ?? 'uniform';
  const keys = Object.keys(cumeneConditionRanges) as (keyof CumeneConditions)[];
  const ranges = { ...cumeneConditionRanges, ...options.window };
  const nominal = { ...nominalCumeneConditions };
  for (const k of Object.keys(options.window ?? {}) as (keyof CumeneConditions)[]) nominal[k] = (ranges[k][0] + ranges[k][1]) / 2;
  return Array.from({ length: count }, () => {
    const c = { ...nominal };
    for (const k of keys) {
      const [lo, hi] = ranges[k];
      if (spread === 'uniform') c[k] = rng.uniform(lo, hi);
      else c[k] = Math.min(hi, Math.max(lo, nominal[k] + rng.normal(0, spread * (hi - lo) / 2)));
    }
    return c;
  });
}

/** Feed streams and unit parameters for a batch of cases, as the sequential evaluator takes them. */
export function cumeneInputs(conditions: readonly CumeneConditions[], plant: CumenePlant = nominalCumenePlant): FlowsheetInputs {
  const n = conditions.length;
  const feed = new Tensor(n, WIDTH);
  const mixer = new Tensor(n, 1);
  const reactor = new Tensor(n, 3);
  const split = new Tensor(n, 1);
  const ta = new Tensor(n, 1);
  conditions.forEach((c, i) => {
    const f = feed.data.subarray(i * WIDTH, (i + 1) * WIDTH);
    f[P] = c.propyleneFeed;
    f[A] = (c.propyleneFeed * c.propaneFraction) / (1 - c.propaneFraction);
    f[T] = 300;
    f[PRESSURE] = 25;
    mixer.data[i] = c.benzeneRatio;
    reactor.data.set([c.alkylatorTemperatureK, plant.alkylatorPressureBar, plant.alkylatorVolumeM3], i * 3);
    split.data[i] = c.splitToTransalkylator;
    ta.data[i] = c.transalkylatorConversion;
  });
  return { feeds: { propyleneFeed: feed }, parameters: { MIX: mixer, R1: reactor, SP: split, TA: ta } };
}

/** The first-principles unit models, by unit name. Split fractions: cumeneFlowsheetSpec docs. */
export function cumeneUnitModels(): Record<string, UnitModel> {
  return {
    MIX: numericUnit(feedMixer),
    R1: numericUnit(alkylator),
    // Flash/depropanizer: C3s overhead, a little benzene carried over.
    FL: numericUnit(splitModel([0.01, 0.95, 0.97, 0, 0], { temperatureK: 320, pressureBar: 1.75 }, { temperatureK: 320, pressureBar: 1.75 })),
    M2: numericUnit(plainMixer),
    C1: numericUnit(splitModel([0.995, 1, 1, 0.002, 0], { temperatureK: 350, pressureBar: 1 }, { temperatureK: 430, pressureBar: 1.2 })),
    SP: numericUnit(splitter),
    C2: numericUnit(splitModel([1, 1, 1, 0.995, 0.002], { temperatureK: 425, pressureBar: 1 }, { temperatureK: 480, pressureBar: 1.2 })),
    C3: numericUnit(splitModel([0, 0, 0, 1, 0.98], { temperatureK: 480, pressureBar: 0.5 }, { temperatureK: 520, pressureBar: 0.6 })),
    M3: numericUnit(plainMixer),
    TA: numericUnit(transalkylator),
  };
}

export interface CumeneSimulation {
  readonly flowsheet: Flowsheet;
  readonly evaluator: SequentialModular;
  readonly inputs: FlowsheetInputs;
  readonly solution: TearSolution;
  /** Every stream by name, one row per case. */
  readonly streams: Record<string, Float64Array[]>;
}

/** Converges the first-principles flowsheet for every case (Wegstein, tight tolerance); throws NOT_CONVERGED otherwise. */
export function simulateCumene(conditions: readonly CumeneConditions[], plant: CumenePlant = nominalCumenePlant): CumeneSimulation {
  const flowsheet = Flowsheet.from(cumeneFlowsheetSpec, 'cumene');
  const evaluator = new SequentialModular(flowsheet, cumeneUnitModels());
  const inputs = cumeneInputs(conditions, plant);
  const n = conditions.length;
  const problem = evaluator.tearProblem(inputs, { scale: new Float64Array(evaluator.tearSize).fill(1) });
  // Cold start: the tear streams hold the fresh propylene and twice as much benzene.
  const x0 = new Float64Array(n * evaluator.tearSize);
  const feed = inputs.feeds.propyleneFeed.data;
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < evaluator.plan.tears.length; k++) {
      const o = c * evaluator.tearSize + k * WIDTH;
      x0[o + B] = 2 * feed[c * WIDTH + P];
      x0[o + T] = 400;
      x0[o + PRESSURE] = 1.5;
    }
  }
  const solution = solveTears(problem, x0, { method: 'wegstein', tolerance: 1e-11, maxIterations: 300 });
  assertConverged(solution, problem);
  const pass = evaluator.pass(new Tensor(n, evaluator.tearSize, solution.x), inputs);
  const streams: Record<string, Float64Array[]> = {};
  flowsheet.streams.forEach((s, i) => {
    const t = pass.streams[i];
    streams[s.name] = Array.from({ length: n }, (_, c) => t.data.slice(c * WIDTH, (c + 1) * WIDTH));
  });
  return { flowsheet, evaluator, inputs, solution, streams };
}
