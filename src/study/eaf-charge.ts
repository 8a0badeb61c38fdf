/**
 * EAF charge optimization on a federated model, pieces: the fleet's heat records as training
 * splits (for `federatedEafFit`), a plant's charge problem (prices, availabilities, CO2 account and
 * spec from its materials table), and the simulator itself as an oracle surrogate.
 *
 * @example
 * const { plants, materials } = eafFleetSplits(eafPaperPreset(), 1);
 * const fit = await federatedEafFit(plants, { materials, obsolete: obsoleteScrapGrades, members: 16 });
 * const best = await optimizeCharge(eafChargeProblem(plant, spec, { usable: fit.known, confidence: 0.975 }), fit.surrogates['plant-a']);
 */
import type { EafPlant } from '../process/eaf/heat.js';
import { materialCoefficients, nominalPractice, practiceTerms } from '../process/eaf/heat.js';
import { eafColumns, type EafPlantConfig } from '../process/eaf/heatLog.js';
import type { EafSpec } from '../process/eaf/optimalCharge.js';
import { eafSpecSchema } from '../process/eaf/optimalCharge.js';
import { eafElements } from '../process/eaf/materials.js';
import { scenarioFromConfigs, type Scenario } from '../process/scenario.js';
import { co2PerCarbon, type ChargeProblem, type OutputBound } from '../optimize/charge.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { Tensor } from '../tensor/tensor.js';
import { add, concat, div, matmul, mul, sliceCols } from '../tensor/ops/index.js';
import { eafModelElements } from './eaf-charge-model.js';
import type { PlantSplit } from './compare.js';
import { eafChargeColumns } from './eaf-charge-model.js';

/** Obsolete-scrap grades of the reference materials table (whose tramp contents vary by region). */
export const obsoleteScrapGrades = ['hms', 'shredded', 'turnings', 'cast_iron'] as const;

/** The fleet as a scenario and each plant's heats as an 80/20 split of charge + practice → heat-record outputs. */
export function eafFleetSplits(configs: readonly EafPlantConfig[], seed: number): { scenario: Scenario<'eaf'>; plants: PlantSplit[]; materials: string[] } {
  const scenario = scenarioFromConfigs('eaf', [...configs], seed);
  const materials = scenario.plants[0].config.plant.materials.map((m) => m.id);
  for (const p of scenario.plants) {
    const ids = p.config.plant.materials.map((m) => m.id).join(',');
    if (ids !== materials.join(',')) throw new RangeError(`EAF fleet: plant '${p.plantId}' has materials [${ids}], plant '${scenario.plants[0].plantId}' [${materials.join(',')}]; a shared model needs one table`);
  }
  const { inputs, outputs } = eafChargeColumns(materials);
  const plants = scenario.plants.map((p) => {
    const ds = p.generate();
    const cut = ds.rowCount - Math.round(ds.rowCount * 0.2);
    const table = (cols: readonly string[], lo: number, hi: number): Tensor => {
      const t = new Tensor(hi - lo, cols.length);
      for (let i = lo; i < hi; i++) cols.forEach((c, j) => (t.data[(i - lo) * cols.length + j] = ds.values[c][i]));
      return t;
    };
    return {
      plantId: p.plantId,
      train: { x: table(inputs, 0, cut), y: table(outputs, 0, cut) },
      test: { x: table(inputs, cut, ds.rowCount), y: table(outputs, cut, ds.rowCount) },
    };
  });
  return { scenario, plants, materials };
}

export interface EafChargeProblemOptions {
  /** Probability with which every chemistry limit (and the tap weight) is held under the model's uncertainty; omit for none. */
  confidence?: number;
  /** Materials the model may use (others get availability 0). Default all. */
  usable?: readonly string[];
}

/**
 * A plant's charge problem for `spec` over the heat-record columns: prices, availabilities and
 * cradle-to-gate CO2 from its materials table, nominal practice for the tap weight, electricity
 * price and grid CO2, the practice's fixed cost and CO2, and the spec's limits on tap wt%.
 */
export function eafChargeProblem(plant: EafPlant, specInput: EafSpec, options: EafChargeProblemOptions = {}): ChargeProblem {
  const spec = eafSpecSchema.parse(specInput);
  const practice = nominalPractice(plant, spec.steelT);
  const fixed = practiceTerms(plant, practice);
  const usable = new Set(options.usable ?? plant.materials.map((m) => m.id));
  const cols = eafColumns(plant);
  const confidence = options.confidence === undefined ? {} : { confidence: options.confidence };
  const chemistry: Record<string, OutputBound> = {};
  for (const e of eafElements) {
    const b = spec.elements[e];
    if (b === undefined || e === 'Fe') continue;
    chemistry[`tap_${e}_wtpct`] = { ...(b.min === undefined ? {} : { min: 100 * b.min }), ...(b.max === undefined ? {} : { max: 100 * b.max }), ...confidence };
  }
  const grid = plant.co2.gridKgPerKWh / 1000;
  return {
    materials: Object.fromEntries(
      plant.materials.map((m) => [
        m.id,
        {
          input: `charge_${m.id}_t`,
          priceUsdPerT: m.priceUsdPerT,
          co2TPerT: m.co2TPerT + co2PerCarbon * m.composition.C,
          availabilityT: usable.has(m.id) ? (spec.availabilityT[m.id] ?? m.availabilityT) : 0,
        },
      ]),
    ),
    context: { [cols.inputs[plant.materials.length]]: practice.oxygenNm3, [cols.inputs[plant.materials.length + 1]]: practice.burnerGasNm3, [cols.inputs[plant.materials.length + 2]]: practice.tapToTapMin },
    steel: { output: 'steel_t', minT: spec.steelT, ...confidence },
    chemistry,
    energy: { output: 'energy_kWh_per_t', priceUsdPerKWh: plant.prices.electricityUsdPerKWh, co2TPerKWh: grid },
    carbon: { output: 'tap_C_wtpct' },
    fixed: {
      costUsd: fixed.costUsd,
      co2T: fixed.co2T,
      co2TPerTSteel: (plant.co2.electrodeKgPerKg * plant.practice.electrodeKgPerT) / 1000,
    },
  };
}

/**
 * The simulator itself as a surrogate over the heat-record columns (its outputs are ratios of
 * functions affine in the charge and practice): the oracle against which the charge problem and
 * the sequential LP are checked, and whose optimum must equal `optimalCharge`.
 */
export function eafTrueSurrogate(plant: EafPlant): ProcessSurrogate {
  const J = plant.materials.length;
  const { inputs, outputs } = eafChargeColumns(plant.materials.map((m) => m.id));
  const E = eafModelElements.length;
  const k = plant.materials.map((m) => materialCoefficients(plant, m));
  const steelPerT = new Tensor(J, 1, Float64Array.from(k, (c) => eafElements.reduce((a, e) => a + c.steel[e], 0)));
  const masses = new Tensor(J, E, Float64Array.from({ length: J * E }, (_, i) => k[Math.floor(i / E)].steel[eafModelElements[i % E]]));
  const energyPerT = new Tensor(J, 1, Float64Array.from(k, (c) => c.electricKWh));
  const unit = (o: number, g: number, t: number): number => practiceTerms(plant, { oxygenNm3: o, burnerGasNm3: g, tapToTapMin: t }).electricKWh;
  const practiceKWh = new Tensor(3, 1, Float64Array.of(unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)));
  return {
    inputNames: inputs,
    outputNames: outputs,
    predict: (x) => {
      const tonnes = sliceCols(x, 0, J);
      const steel = matmul(tonnes, steelPerT);
      const energy = add(matmul(tonnes, energyPerT), matmul(sliceCols(x, J, J + 3), practiceKWh));
      return concat([steel, div(energy, steel), mul(div(matmul(tonnes, masses), steel), 100)], 1);
    },
  };
}
