/**
 * EAF melt-shop configurations: seeded random fleets and the documented presets
 * (see docs/simulators.md, "Plant presets"). Scrap quality differs by plant through multipliers
 * on the tramp elements (Cu, Sn, Ni, Cr, Mo) of obsolete scrap grades.
 */
import type { Rng } from '../../tensor/rng.js';
import { referenceMaterials, type EafElement, type EafMaterial } from '../eaf/materials.js';
import { eafPlantConfigSchema, type EafPlantConfig } from '../eaf/heatLog.js';
import type { EafPlant } from '../eaf/heat.js';

const obsolete = new Set(['hms', 'shredded', 'turnings', 'cast_iron']);
const tramp: EafElement[] = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo'];

interface EafPlantShape {
  plantId: string;
  /** Multiplier on tramp contents of obsolete scrap (scrap quality; 1 = reference). */
  trampFactor: number;
  /** Multiplier on material prices (regional market). */
  priceFactor: number;
  chargeT: number;
  recipe: Record<string, number>;
  samples: number;
  ironYieldFactor: number;
  distribution: Partial<EafPlant['distribution']>;
  practice: Partial<EafPlant['practice']>;
  electricityUsdPerKWh: number;
  gridKgPerKWh: number;
  noiseScale: number;
  chemistryRelBias: number;
}

const referenceDistribution: EafPlant['distribution'] = {
  Cu: 1, Sn: 1, Ni: 1, Mo: 1, Cr: 0.85, Mn: 0.55, Si: 0.1, C: 0.12, P: 0.3, S: 0.6, Fe: 1,
};
const referencePractice: EafPlant['practice'] = {
  electricalEfficiency: 0.7, chemicalEfficiency: 0.6, burnerEfficiency: 0.55, postCombustionKWhPerNm3: 1.5,
  hotHeelFraction: 0.15, heatLossKW: 3000, oxygenNm3PerT: 35, burnerGasNm3PerT: 5, tapToTapMin: 50, electrodeKgPerT: 1.5,
};

function build(s: EafPlantShape): EafPlantConfig {
  const scale = s.chargeT / 110; // reference availabilities are for a ~110 t charge
  const materials: EafMaterial[] = referenceMaterials.map((m) => {
    const composition = { ...m.composition };
    if (obsolete.has(m.id)) {
      let delta = 0;
      for (const e of tramp) {
        const before = composition[e];
        composition[e] = before * s.trampFactor;
        delta += composition[e] - before;
      }
      composition.Fe -= delta;
    }
    return { ...m, composition, priceUsdPerT: m.priceUsdPerT * s.priceFactor, availabilityT: m.availabilityT * scale };
  });
  const q = s.noiseScale;
  return eafPlantConfigSchema.parse({
    plant: {
      plantId: s.plantId,
      materials,
      distribution: { ...referenceDistribution, ...s.distribution },
      ironYieldFactor: s.ironYieldFactor,
      practice: { ...referencePractice, ...s.practice },
      prices: { electricityUsdPerKWh: s.electricityUsdPerKWh, naturalGasUsdPerNm3: 0.35, oxygenUsdPerNm3: 0.12 },
      co2: { gridKgPerKWh: s.gridKgPerKWh, naturalGasKgPerNm3: 1.96, electrodeKgPerKg: 3.67 },
    },
    recipe: s.recipe,
    chargeT: s.chargeT,
    samples: s.samples,
    variability: { recipeRelStd: 0.25, chargeRelStd: 0.02, compositionRelStd: 0.15, oxygenRelStd: 0.1, burnerRelStd: 0.15, tapToTapStdMin: 6 },
    sensors: { chemistryRelStd: 0.02 * q, chemistryRelBias: s.chemistryRelBias, scaleStdT: 0.3 * q, energyMeterRelStd: 0.005 * q },
  });
}

/**
 * Three melt shops in the spirit of arXiv 2604.26073's three heterogeneous plants (our design; the
 * paper is about chemical plants and gives no parameters): A — scrap + pig-iron mini-mill with
 * good scrap, many heats; B — DRI-based shop with large hot heel and clean grid power; C — small
 * shop on low-grade obsolete scrap (high Cu/Sn), lower efficiency, few heats, biased spectrometer.
 */
export function eafPaperPreset(): EafPlantConfig[] {
  return [
    build({
      plantId: 'plant-a', trampFactor: 0.8, priceFactor: 1, chargeT: 120, samples: 900, ironYieldFactor: 1,
      recipe: { shredded: 0.45, hms: 0.3, busheling: 0.1, pig_iron: 0.12, carburiser: 0.01, femn: 0.005 },
      distribution: {}, practice: {}, electricityUsdPerKWh: 0.08, gridKgPerKWh: 0.4, noiseScale: 1, chemistryRelBias: 0,
    }),
    build({
      plantId: 'plant-b', trampFactor: 1.0, priceFactor: 1.05, chargeT: 150, samples: 400, ironYieldFactor: 0.99,
      recipe: { dri: 0.45, hbi: 0.05, hms: 0.25, shredded: 0.2, carburiser: 0.012, femn: 0.004 },
      distribution: { C: 0.15, Mn: 0.5 }, practice: { hotHeelFraction: 0.3, oxygenNm3PerT: 40, burnerGasNm3PerT: 2, tapToTapMin: 55 },
      electricityUsdPerKWh: 0.06, gridKgPerKWh: 0.12, noiseScale: 1.2, chemistryRelBias: 0,
    }),
    build({
      plantId: 'plant-c', trampFactor: 1.4, priceFactor: 0.95, chargeT: 80, samples: 120, ironYieldFactor: 0.98,
      recipe: { hms: 0.5, turnings: 0.15, shredded: 0.25, cast_iron: 0.1, carburiser: 0.008, femn: 0.006 },
      distribution: { Cr: 0.8, Mn: 0.6 }, practice: { electricalEfficiency: 0.62, chemicalEfficiency: 0.5, hotHeelFraction: 0.05, heatLossKW: 2500, tapToTapMin: 65 },
      electricityUsdPerKWh: 0.1, gridKgPerKWh: 0.6, noiseScale: 2, chemistryRelBias: 0.03,
    }),
  ];
}

/** `count` identical reference shops (an IID baseline). */
export function eafHomogeneousPreset(count: number): EafPlantConfig[] {
  return Array.from({ length: count }, (_, i) => build({
    plantId: `plant-${i + 1}`, trampFactor: 1, priceFactor: 1, chargeT: 110, samples: 400, ironYieldFactor: 1,
    recipe: { shredded: 0.35, hms: 0.3, busheling: 0.1, pig_iron: 0.1, dri: 0.13, carburiser: 0.01, femn: 0.005 },
    distribution: {}, practice: {}, electricityUsdPerKWh: 0.08, gridKgPerKWh: 0.4, noiseScale: 1, chemistryRelBias: 0,
  }));
}

/**
 * `count` seeded random shops: tramp factor U(0.7, 1.5), prices ±10 %, charge U(60, 160) t, a
 * random recipe (scrap-, pig-iron- or DRI-leaning), iron yield factor U(0.97, 1), distribution of
 * Cr/Mn/C/P ±10 %, practice (efficiencies, hot heel, O2, burner, tap-to-tap) per plant,
 * electricity price U(0.05, 0.12) $/kWh and grid CO2 U(0.05, 0.7) kg/kWh, heats
 * 300·e^N(0, 0.8) clipped to [40, 2000].
 */
export function eafRandomPlants(count: number, rng: Rng): EafPlantConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const r = rng.fork(`eaf-plant-${i + 1}`);
    const style = r.int(3);
    const recipe: Record<string, number> = {
      shredded: r.uniform(0.15, 0.45), hms: r.uniform(0.15, 0.45), busheling: r.uniform(0, 0.15), turnings: r.uniform(0, 0.1),
      cast_iron: r.uniform(0, 0.08), pig_iron: style === 1 ? r.uniform(0.15, 0.3) : r.uniform(0, 0.1),
      dri: style === 2 ? r.uniform(0.3, 0.5) : 0, carburiser: r.uniform(0.005, 0.015), femn: r.uniform(0.002, 0.008),
    };
    const jitter = (x: number): number => Math.min(1, x * r.uniform(0.9, 1.1));
    return build({
      plantId: `plant-${i + 1}`,
      trampFactor: r.uniform(0.7, 1.5),
      priceFactor: r.uniform(0.9, 1.1),
      chargeT: r.uniform(60, 160),
      recipe,
      samples: Math.round(Math.min(2000, Math.max(40, 300 * Math.exp(r.normal(0, 0.8))))),
      ironYieldFactor: r.uniform(0.97, 1),
      distribution: { Cr: jitter(0.85), Mn: jitter(0.55), C: jitter(0.12), P: jitter(0.3) },
      practice: {
        electricalEfficiency: r.uniform(0.6, 0.75), chemicalEfficiency: r.uniform(0.45, 0.7), hotHeelFraction: r.uniform(0, 0.3),
        oxygenNm3PerT: r.uniform(25, 45), burnerGasNm3PerT: r.uniform(0, 8), tapToTapMin: r.uniform(40, 70),
      },
      electricityUsdPerKWh: r.uniform(0.05, 0.12),
      gridKgPerKWh: r.uniform(0.05, 0.7),
      noiseScale: r.uniform(0.5, 2.5),
      chemistryRelBias: r.normal(0, 0.01),
    });
  });
}
