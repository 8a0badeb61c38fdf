/**
 * Example 2 of hybrid models: the specific electric energy of an EAF heat from its charge mix and
 * practice, with shared (federated) coefficients and a plant-specific efficiency.
 *
 * The energy balance behind it (Kirschen, Badr & Pfeifer, Energy 36, 2011; the structure of
 * `src/process/eaf/heat.ts`):
 *   E_el [kWh] = (Σ_j θ_j x_j − β·V_gas) / η_plant + L·t_tap/60 − π·V_O2
 *   kWh/t      = E_el / m_steel
 * with x_j the tonnes of material j, θ_j its net melting energy [kWh/t] (material property:
 * shared), β the useful burner energy per Nm³ of gas, L the furnace's thermal losses [kW], π the
 * electric energy saved per Nm³ of O2 (all shared), and η the plant's arc-to-bath efficiency
 * (hot heel included) — plant-specific, kept local by `keepPlantParametersLocal`.
 *
 * Identifiability: electric energy alone fixes θ_j/η and β/η, not η itself — scaling every η and
 * θ, β by one factor predicts the same energy. Ratios of plant efficiencies are identified; the
 * absolute level follows the initial values (melting energies from thermodynamics fix it in
 * practice).
 *
 * @example
 * const materials = config.plant.materials.map((m) => m.id);
 * const model = eafEnergyModel(materials);
 * const { x, y } = eafEnergyData(generateEafHeats(config, { seed: 1 }), materials);
 */
import type { PlantDataset } from '../../process/dataset.js';
import type { EafPlant } from '../../process/eaf/heat.js';
import { add, div, matmul, mul, sliceCols, sub } from '../../tensor/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { HybridModel } from '../hybrid-model.js';

export interface EafEnergyModelOptions {
  /** Initial net melting energy of every material [kWh/t]. Default 400. */
  readonly initialMeltEnergyKWhPerT?: number;
  /** Initial plant efficiency. Default 0.7. */
  readonly initialEfficiency?: number;
  /** Bounds of the plant efficiency. Default [0.3, 1]. */
  readonly efficiencyBounds?: readonly [number, number];
}

/**
 * Inputs [n, M + 4] = (x_1 … x_M [t], O2 [Nm³], burner gas [Nm³], tap-to-tap [min], tapped steel [t]);
 * output [n, 1] = specific electric energy [kWh/t].
 */
export function eafEnergyModel(materialIds: readonly string[], options: EafEnergyModelOptions = {}): HybridModel {
  const M = materialIds.length;
  if (M === 0) throw new RangeError('eafEnergyModel: no materials');
  const [lo, hi] = options.efficiencyBounds ?? [0.3, 1];
  return new HybridModel({
    inputSize: M + 4,
    outputSize: 1,
    parameters: [
      {
        name: 'meltEnergyKWhPerT', initial: new Array<number>(M).fill(options.initialMeltEnergyKWhPerT ?? 400),
        transform: { kind: 'scaled', scale: 100 }, unit: 'kWh/t', description: `net melting energy per tonne of ${materialIds.join(', ')}`,
      },
      { name: 'burnerKWhPerNm3', initial: 4, transform: { kind: 'positive' }, unit: 'kWh/Nm3', description: 'useful burner energy per Nm³ of natural gas' },
      { name: 'heatLossKW', initial: 2000, transform: { kind: 'scaled', scale: 1000 }, unit: 'kW', description: 'thermal losses while the furnace is on' },
      { name: 'oxygenKWhPerNm3', initial: 1, transform: { kind: 'positive' }, unit: 'kWh/Nm3', description: 'electric energy saved per Nm³ of lanced O2' },
      {
        name: 'efficiency', initial: options.initialEfficiency ?? 0.7, transform: { kind: 'bounded', lo, hi }, scope: 'plant',
        description: 'arc-to-bath efficiency of this plant (hot heel included); kept local',
      },
    ],
    equations: (p, x) => {
      const charge = sliceCols(x, 0, M);
      const oxygen = sliceCols(x, M, M + 1);
      const gas = sliceCols(x, M + 1, M + 2);
      const tapToTapH = div(sliceCols(x, M + 2, M + 3), 60);
      const steel = sliceCols(x, M + 3, M + 4);
      const melting = sub(matmul(charge, p.meltEnergyKWhPerT, { transB: true }), mul(gas, p.burnerKWhPerNm3));
      const electric = sub(add(div(melting, p.efficiency), mul(tapToTapH, p.heatLossKW)), mul(oxygen, p.oxygenKWhPerNm3));
      return div(electric, steel);
    },
  });
}

/** A plant's heats as model data: x as `eafEnergyModel` expects, y = measured kWh/t. */
export function eafEnergyData(ds: PlantDataset, materialIds: readonly string[]): { x: Tensor; y: Tensor } {
  const columns = [...materialIds.map((id) => `charge_${id}_t`), 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min', 'steel_t'];
  for (const c of [...columns, 'energy_kWh_per_t']) {
    if (ds.values[c] === undefined) throw new RangeError(`eafEnergyData: plant '${ds.plantId}' has no column '${c}'`);
  }
  const n = ds.rowCount;
  const x = new Tensor(n, columns.length);
  const y = new Tensor(n, 1);
  for (let i = 0; i < n; i++) {
    columns.forEach((c, j) => (x.data[i * columns.length + j] = ds.values[c][i]));
    y.data[i] = ds.values.energy_kWh_per_t[i];
  }
  return { x, y };
}

/** The simulator's own efficiency η of a plant as this model defines it: electrical · (1 + 0.3·hot heel). */
export function trueEafEfficiency(plant: EafPlant): number {
  return plant.practice.electricalEfficiency * (1 + 0.3 * plant.practice.hotHeelFraction);
}
