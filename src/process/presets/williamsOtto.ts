/**
 * Williams–Otto plant configurations: seeded random fleets and the documented presets
 * (see docs/simulators.md, "Plant presets").
 */
import type { Rng } from '../../tensor/rng.js';
import { nominalWilliamsOtto, williamsOttoBounds, type WilliamsOttoParameters } from '../williamsOtto.js';
import { williamsOttoPlantConfigSchema, type WilliamsOttoPlantConfig } from '../williamsOttoLog.js';

/** Perturbations that define one plant relative to the published nominal reactor. */
interface WilliamsOttoPlantShape {
  plantId: string;
  /** Catalyst activity: multiplies all three pre-exponentials. */
  activity: number;
  /** Per-reaction kinetic perturbation of pre-exponentials (multipliers). */
  kineticFactors: [number, number, number];
  /** Relative change of activation energies (e.g. 0.02 = +2 %). */
  activationShift: [number, number, number];
  holdupFactor: number;
  feedAFactor: number;
  priceFactor: number;
  window: { feedB: [number, number]; temperatureC: [number, number] };
  samples: number;
  sensors: WilliamsOttoPlantConfig['sensors'];
}

function build(shape: WilliamsOttoPlantShape): WilliamsOttoPlantConfig {
  const n = nominalWilliamsOtto;
  const parameters: WilliamsOttoParameters = {
    preExponentialPerS: n.preExponentialPerS.map((k, i) => k * shape.activity * shape.kineticFactors[i]) as [number, number, number],
    activationTemperatureK: n.activationTemperatureK.map((e, i) => e * (1 + shape.activationShift[i])) as [number, number, number],
    holdupKg: n.holdupKg * shape.holdupFactor,
    feedAKgPerS: n.feedAKgPerS * shape.feedAFactor,
    priceP: n.priceP * shape.priceFactor,
    priceE: n.priceE * shape.priceFactor,
    priceA: n.priceA * shape.priceFactor,
    priceB: n.priceB * shape.priceFactor,
  };
  return williamsOttoPlantConfigSchema.parse({
    plantId: shape.plantId, parameters, window: shape.window, samples: shape.samples, samplingIntervalS: 3600, sensors: shape.sensors,
  });
}

const quiet = { noiseStd: 0, bias: 0, driftPerH: 0 };

/**
 * The three-plant setting modelled on arXiv 2604.26073 (three independent plants, heterogeneous
 * operating conditions, unequal data). The paper's abstract does not publish its plants'
 * parameters; these three are our design (docs/simulators.md): a large plant with fresh catalyst
 * and many records in the low F_B / low T window, a nominal plant with a biased, drifting
 * temperature sensor in the middle window, and a small plant with aged catalyst, few and noisy
 * records in the high F_B / high T window.
 */
export function williamsOttoPaperPreset(): WilliamsOttoPlantConfig[] {
  return [
    build({
      plantId: 'plant-a', activity: 1.15, kineticFactors: [1, 1, 1], activationShift: [0, 0, 0], holdupFactor: 1.2, feedAFactor: 1.05, priceFactor: 1,
      window: { feedB: [3.0, 4.6], temperatureC: [70, 85] }, samples: 1200,
      sensors: { feedB: { noiseStd: 0.01, bias: 0, driftPerH: 0 }, temperature: { noiseStd: 0.2, bias: 0, driftPerH: 0 }, composition: { noiseStd: 0.002, bias: 0, driftPerH: 0 } },
    }),
    build({
      plantId: 'plant-b', activity: 1.0, kineticFactors: [1, 1, 1], activationShift: [0, 0, 0], holdupFactor: 1.0, feedAFactor: 1.0, priceFactor: 1,
      window: { feedB: [4.0, 5.4], temperatureC: [80, 93] }, samples: 600,
      sensors: { feedB: { noiseStd: 0.02, bias: 0, driftPerH: 0 }, temperature: { noiseStd: 0.3, bias: 0.8, driftPerH: 0.001 }, composition: { noiseStd: 0.003, bias: 0, driftPerH: 0 } },
    }),
    build({
      plantId: 'plant-c', activity: 0.75, kineticFactors: [1, 1.05, 0.95], activationShift: [0.02, 0.01, -0.01], holdupFactor: 0.85, feedAFactor: 0.92, priceFactor: 1.05,
      window: { feedB: [4.8, 6.0], temperatureC: [88, 100] }, samples: 150,
      sensors: { feedB: { noiseStd: 0.04, bias: 0.03, driftPerH: 0 }, temperature: { noiseStd: 0.6, bias: 0, driftPerH: 0 }, composition: { noiseStd: 0.006, bias: 0.001, driftPerH: 0 } },
    }),
  ];
}

/** `count` identical nominal plants on the full box with equal samples (an IID baseline). */
export function williamsOttoHomogeneousPreset(count: number): WilliamsOttoPlantConfig[] {
  return Array.from({ length: count }, (_, i) => build({
    plantId: `plant-${i + 1}`, activity: 1, kineticFactors: [1, 1, 1], activationShift: [0, 0, 0], holdupFactor: 1, feedAFactor: 1, priceFactor: 1,
    window: { feedB: [...williamsOttoBounds.feedB], temperatureC: [...williamsOttoBounds.temperatureC] }, samples: 500,
    sensors: { feedB: { ...quiet, noiseStd: 0.02 }, temperature: { ...quiet, noiseStd: 0.3 }, composition: { ...quiet, noiseStd: 0.003 } },
  }));
}

/**
 * `count` seeded random plants: catalyst activity U(0.7, 1.3), per-reaction factors e^N(0, 0.05),
 * activation energies ±2 %, holdup U(0.8, 1.25), F_A U(0.9, 1.1), prices ±5 %, a window covering
 * 40–70 % of each decision range, sample counts 400·e^N(0, 0.8) clipped to [50, 3000], sensor
 * noise, bias and drift drawn per plant.
 */
export function williamsOttoRandomPlants(count: number, rng: Rng): WilliamsOttoPlantConfig[] {
  const sub = (lo: number, hi: number, r: Rng): [number, number] => {
    const width = (hi - lo) * r.uniform(0.4, 0.7);
    const start = r.uniform(lo, hi - width);
    return [start, start + width];
  };
  return Array.from({ length: count }, (_, i) => {
    const r = rng.fork(`williams-otto-plant-${i + 1}`);
    return build({
      plantId: `plant-${i + 1}`,
      activity: r.uniform(0.7, 1.3),
      kineticFactors: [Math.exp(r.normal(0, 0.05)), Math.exp(r.normal(0, 0.05)), Math.exp(r.normal(0, 0.05))],
      activationShift: [r.uniform(-0.02, 0.02), r.uniform(-0.02, 0.02), r.uniform(-0.02, 0.02)],
      holdupFactor: r.uniform(0.8, 1.25),
      feedAFactor: r.uniform(0.9, 1.1),
      priceFactor: r.uniform(0.95, 1.05),
      window: { feedB: sub(3, 6, r), temperatureC: sub(70, 100, r) },
      samples: Math.round(Math.min(3000, Math.max(50, 400 * Math.exp(r.normal(0, 0.8))))),
      sensors: {
        feedB: { noiseStd: r.uniform(0.005, 0.04), bias: r.normal(0, 0.02), driftPerH: 0 },
        temperature: { noiseStd: r.uniform(0.1, 0.6), bias: r.normal(0, 0.5), driftPerH: r.normal(0, 0.0005) },
        composition: { noiseStd: r.uniform(0.001, 0.006), bias: r.normal(0, 0.0005), driftPerH: 0 },
      },
    });
  });
}
