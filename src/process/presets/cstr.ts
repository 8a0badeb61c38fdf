/**
 * van de Vusse plant configurations: seeded random fleets and the documented presets
 * (see docs/simulators.md, "Plant presets").
 */
import type { Rng } from '../../tensor/rng.js';
import { nominalVanDeVusse, type VanDeVusseParameters } from '../vanDeVusse.js';
import { cstrPlantConfigSchema, type CstrPlantConfig, type SensorSpec } from '../vanDeVusseLog.js';

interface CstrPlantShape {
  plantId: string;
  activity: number;
  activationShift: [number, number, number];
  /** Reactor volume factor; jacket area scales with volume^(2/3), coolant mass with volume. */
  sizeFactor: number;
  window: CstrPlantConfig['window'];
  feed: CstrPlantConfig['feed'];
  fouling: CstrPlantConfig['fouling'];
  samples: number;
  samplingIntervalS: number;
  holdS: [number, number];
  temperatureSensor: SensorSpec;
  noiseScale: number;
  analyser: CstrPlantConfig['analyser'];
  campaigns?: CstrPlantConfig['campaigns'];
}

function build(s: CstrPlantShape): CstrPlantConfig {
  const n = nominalVanDeVusse;
  const parameters: VanDeVusseParameters = {
    ...n,
    preExponential: n.preExponential.map((k) => k * s.activity) as [number, number, number],
    activationTemperatureK: n.activationTemperatureK.map((e, i) => e * (1 + s.activationShift[i])) as [number, number, number],
    reactorVolumeL: n.reactorVolumeL * s.sizeFactor,
    jacketAreaM2: n.jacketAreaM2 * Math.pow(s.sizeFactor, 2 / 3),
    coolantMassKg: n.coolantMassKg * s.sizeFactor,
  };
  const q = s.noiseScale;
  return cstrPlantConfigSchema.parse({
    plantId: s.plantId, parameters, window: s.window, holdS: s.holdS, feed: s.feed, fouling: s.fouling,
    samples: s.samples, samplingIntervalS: s.samplingIntervalS, campaigns: s.campaigns ?? [],
    sensors: {
      D: { noiseStd: 0.05 * q, bias: 0, driftPerH: 0 },
      Qk: { noiseStd: 10 * q, bias: 0, driftPerH: 0 },
      cA0: { noiseStd: 0.02 * q, bias: 0, driftPerH: 0 },
      T0: { noiseStd: 0.1 * q, bias: 0, driftPerH: 0 },
      T: s.temperatureSensor,
      Tk: { noiseStd: 0.1 * q, bias: 0, driftPerH: 0 },
    },
    analyser: s.analyser,
  });
}

/**
 * The strongly heterogeneous three-plant setting (preset 'strongly-heterogeneous'; formerly the
 * 'arxiv-2604.26073' CSTR preset): A — larger reactor, active catalyst, slow fouling, long 1-min
 * log at low throughput; B — nominal kinetics, fast fouling, biased and drifting T sensor, mid
 * throughput; C — small reactor with aged catalyst, short 2-min log at high throughput, slow
 * analyser with long dead time, noisy sensors. Catalyst activity 0.8–1.1 is unobserved, so no one
 * model can fit all three (see docs/simulators.md).
 */
export function cstrHeterogeneousPreset(): CstrPlantConfig[] {
  return [
    build({
      plantId: 'plant-a', activity: 1.1, activationShift: [0, 0, 0], sizeFactor: 1.2,
      window: { dilutionPerH: [5, 18], jacketDutyKJPerH: [-6000, -2000] },
      feed: { concentrationMean: 5.1, concentrationStd: 0.1, temperatureMeanC: 104.9, temperatureStdC: 1.0, correlationTimeH: 2 },
      fouling: { timeConstantH: 1000, floor: 0.85 }, samples: 4000, samplingIntervalS: 60, holdS: [1200, 3600],
      temperatureSensor: { noiseStd: 0.1, bias: 0, driftPerH: 0 }, noiseScale: 1,
      analyser: { noiseStd: 0.01, bias: 0, driftPerH: 0, sampleIntervalS: 300, deadTimeS: 120 },
    }),
    build({
      plantId: 'plant-b', activity: 1.0, activationShift: [0, 0, 0], sizeFactor: 1.0,
      window: { dilutionPerH: [12, 26], jacketDutyKJPerH: [-4000, -500] },
      feed: { concentrationMean: 5.4, concentrationStd: 0.15, temperatureMeanC: 108, temperatureStdC: 1.5, correlationTimeH: 1 },
      fouling: { timeConstantH: 150, floor: 0.6 }, samples: 2500, samplingIntervalS: 60, holdS: [900, 2700],
      temperatureSensor: { noiseStd: 0.15, bias: 0.8, driftPerH: 0.01 }, noiseScale: 1.5,
      analyser: { noiseStd: 0.015, bias: 0.02, driftPerH: 0, sampleIntervalS: 600, deadTimeS: 300 },
    }),
    build({
      plantId: 'plant-c', activity: 0.8, activationShift: [0.01, 0.01, -0.01], sizeFactor: 0.8,
      window: { dilutionPerH: [20, 35], jacketDutyKJPerH: [-2500, 0] },
      feed: { concentrationMean: 4.7, concentrationStd: 0.2, temperatureMeanC: 101, temperatureStdC: 2, correlationTimeH: 0.5 },
      fouling: { timeConstantH: 400, floor: 0.75 }, samples: 600, samplingIntervalS: 120, holdS: [600, 2400],
      temperatureSensor: { noiseStd: 0.3, bias: 0, driftPerH: 0 }, noiseScale: 3,
      analyser: { noiseStd: 0.03, bias: 0, driftPerH: 0.0005, sampleIntervalS: 900, deadTimeS: 600 },
    }),
  ];
}

/** One plant of the licensed fleet: windows in specific jacket duty q = Qk/VR [kJ/(h·L)], so they mean the same at every size. */
interface FleetPlantShape {
  plantId: string;
  activity: number;
  sizeFactor: number;
  window: { dilutionPerH: [number, number]; specificDutyKJPerHL: [number, number] };
  later: { fromH: number; dilutionPerH: [number, number]; specificDutyKJPerHL: [number, number] };
  /** Feed means (cA0 [mol/L], T0 [°C]) and correlation time [h]; the spread is the same at every plant. */
  feed: { concentration: number; temperatureC: number; correlationTimeH: number };
  fouling: CstrPlantConfig['fouling'];
  samples: number;
  samplingIntervalS: number;
}

function fleetPlant(f: FleetPlantShape): CstrPlantConfig {
  const volumeL = nominalVanDeVusse.reactorVolumeL * f.sizeFactor;
  const duty = ([lo, hi]: [number, number]): [number, number] => [lo * volumeL, hi * volumeL];
  return build({
    plantId: f.plantId, activity: f.activity, activationShift: [0, 0, 0], sizeFactor: f.sizeFactor,
    window: { dilutionPerH: f.window.dilutionPerH, jacketDutyKJPerH: duty(f.window.specificDutyKJPerHL) },
    campaigns: [{ fromH: f.later.fromH, window: { dilutionPerH: f.later.dilutionPerH, jacketDutyKJPerH: duty(f.later.specificDutyKJPerHL) } }],
    feed: { concentrationMean: f.feed.concentration, concentrationStd: 0.08, temperatureMeanC: f.feed.temperatureC, temperatureStdC: 0.7, correlationTimeH: f.feed.correlationTimeH },
    fouling: f.fouling, samples: f.samples, samplingIntervalS: f.samplingIntervalS, holdS: [900, 2700],
    // Calibrated instruments: noise, no bias or drift.
    temperatureSensor: { noiseStd: 0.1, bias: 0, driftPerH: 0 }, noiseScale: 1,
    analyser: { noiseStd: 0.01, bias: 0, driftPerH: 0, sampleIntervalS: 600, deadTimeS: 180 },
  });
}

/**
 * The three-plant setting modelled on arXiv 2604.26073 (three independent plants under
 * heterogeneous operating conditions, time-series sensor data; its abstract gives no plant
 * parameters, so this is our design — docs/simulators.md says why): three plants of ONE licensed
 * process and catalyst family (activity 0.98–1.02) of different sizes (VR 8, 10, 14 L), each
 * running its own narrow window with few analyser results, with modest differences in feed,
 * fouling and sensors; in the last part of each log the plant moves into conditions other plants
 * have run.
 */
export function cstrPaperPreset(): CstrPlantConfig[] {
  return [
    fleetPlant({
      plantId: 'plant-a', activity: 1.0, sizeFactor: 1.0,
      window: { dilutionPerH: [10, 19], specificDutyKJPerHL: [-330, -150] },
      later: { fromH: 42, dilutionPerH: [18, 28], specificDutyKJPerHL: [-300, -150] },
      feed: { concentration: 5.1, temperatureC: 104.5, correlationTimeH: 2 },
      fouling: { timeConstantH: 2000, floor: 0.9 }, samples: 3600, samplingIntervalS: 60,
    }),
    fleetPlant({
      plantId: 'plant-b', activity: 0.98, sizeFactor: 1.4,
      window: { dilutionPerH: [20, 29], specificDutyKJPerHL: [-400, -250] },
      later: { fromH: 35, dilutionPerH: [24, 34], specificDutyKJPerHL: [-260, -100] },
      feed: { concentration: 5.0, temperatureC: 105.5, correlationTimeH: 1.5 },
      fouling: { timeConstantH: 800, floor: 0.85 }, samples: 3000, samplingIntervalS: 60,
    }),
    fleetPlant({
      plantId: 'plant-c', activity: 1.02, sizeFactor: 0.8,
      window: { dilutionPerH: [27, 35], specificDutyKJPerHL: [-180, -60] },
      later: { fromH: 42, dilutionPerH: [14, 24], specificDutyKJPerHL: [-260, -120] },
      feed: { concentration: 5.2, temperatureC: 104.0, correlationTimeH: 1 },
      fouling: { timeConstantH: 1500, floor: 0.9 }, samples: 1800, samplingIntervalS: 120,
    }),
  ];
}

/** `count` identical nominal plants over the usual input ranges (an IID baseline). */
export function cstrHomogeneousPreset(count: number): CstrPlantConfig[] {
  return Array.from({ length: count }, (_, i) => build({
    plantId: `plant-${i + 1}`, activity: 1, activationShift: [0, 0, 0], sizeFactor: 1,
    window: { dilutionPerH: [5, 35], jacketDutyKJPerH: [-6000, 0] },
    feed: { concentrationMean: 5.1, concentrationStd: 0.1, temperatureMeanC: 104.9, temperatureStdC: 1, correlationTimeH: 1 },
    fouling: { timeConstantH: 1e6, floor: 1 }, samples: 2000, samplingIntervalS: 60, holdS: [900, 2700],
    temperatureSensor: { noiseStd: 0.1, bias: 0, driftPerH: 0 }, noiseScale: 1,
    analyser: { noiseStd: 0.01, bias: 0, driftPerH: 0, sampleIntervalS: 300, deadTimeS: 120 },
  }));
}

/**
 * `count` seeded random plants: activity U(0.75, 1.25), activation energies ±1 %, size
 * U(0.7, 1.4), windows covering 35–65 % of D ∈ [3, 35] and Qk ∈ [−8000, 0], feed means
 * cA0 U(4.6, 5.6), T0 U(100, 110), fouling τ U(100, 2000) h to a floor U(0.6, 0.9), sampling
 * 30/60/120 s, samples 2000·e^N(0, 0.7) clipped to [300, 8000], sensor noise/bias/drift and
 * analyser interval (5–15 min) and dead time (1–10 min) per plant.
 */
export function cstrRandomPlants(count: number, rng: Rng): CstrPlantConfig[] {
  const sub = (lo: number, hi: number, r: Rng): [number, number] => {
    const width = (hi - lo) * r.uniform(0.35, 0.65);
    const start = r.uniform(lo, hi - width);
    return [start, start + width];
  };
  return Array.from({ length: count }, (_, i) => {
    const r = rng.fork(`cstr-plant-${i + 1}`);
    const sampleInterval = [30, 60, 120][r.int(3)];
    return build({
      plantId: `plant-${i + 1}`,
      activity: r.uniform(0.75, 1.25),
      activationShift: [r.uniform(-0.01, 0.01), r.uniform(-0.01, 0.01), r.uniform(-0.01, 0.01)],
      sizeFactor: r.uniform(0.7, 1.4),
      window: { dilutionPerH: sub(3, 35, r), jacketDutyKJPerH: sub(-8000, 0, r) },
      feed: {
        concentrationMean: r.uniform(4.6, 5.6), concentrationStd: r.uniform(0.05, 0.2),
        temperatureMeanC: r.uniform(100, 110), temperatureStdC: r.uniform(0.5, 2), correlationTimeH: r.uniform(0.5, 3),
      },
      fouling: { timeConstantH: r.uniform(100, 2000), floor: r.uniform(0.6, 0.9) },
      samples: Math.round(Math.min(8000, Math.max(300, 2000 * Math.exp(r.normal(0, 0.7))))),
      samplingIntervalS: sampleInterval,
      holdS: [600, r.uniform(1800, 5400)],
      temperatureSensor: { noiseStd: r.uniform(0.05, 0.4), bias: r.normal(0, 0.5), driftPerH: r.normal(0, 0.005) },
      noiseScale: r.uniform(0.5, 3),
      analyser: {
        noiseStd: r.uniform(0.005, 0.03), bias: r.normal(0, 0.01), driftPerH: 0,
        sampleIntervalS: 60 * (5 + r.int(11)), deadTimeS: 60 * (1 + r.int(10)),
      },
    });
  });
}
