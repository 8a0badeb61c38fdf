/**
 * A simulated quality task with a rare class: off-spec EAF heats. Copper and tin cannot be removed
 * in the EAF (they report to the steel, `src/process/eaf/heat.ts`), so a heat whose scrap happened to
 * carry more tramp elements than its grade allows is off-spec — a rare event driven by the charge
 * mix (shares of obsolete scrap) and by the scatter of real scrap composition around its grade.
 *
 * Classes: 0 = in spec, 1 = Cu over its limit, 2 = Sn over its limit (Cu takes precedence when
 * both are). With no Sn limit the task is binary (0/1).
 *
 * Features are what a melt shop knows before tapping: the charge shares of each material, the
 * total charge [t], and O2 and burner gas per tonne charged.
 *
 * @example
 * const ds = generateEafHeats(config, { seed: 1, samples: 1500 });
 * const task = offSpecHeats(ds, materials, { cuLimitWtPct: 0.18 });   // ~5 % off-spec
 */
import type { PlantDataset } from '../process/dataset.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';

export interface OffSpecLimits {
  /** Maximum Cu in the steel grade [wt%]. */
  readonly cuLimitWtPct: number;
  /** Maximum Sn [wt%]; when given, the task has three classes. */
  readonly snLimitWtPct?: number;
}

export interface DefectTask {
  /** Features [n, M + 3]: charge shares, total charge, O2/t, gas/t. */
  readonly x: Tensor;
  /** Class of each heat (0 = in spec). */
  readonly labels: Float64Array;
  readonly classes: number;
  readonly featureNames: readonly string[];
}

/** Labels a plant's heat records against its grade's tramp limits (measured tap chemistry). */
export function offSpecHeats(ds: PlantDataset, materialIds: readonly string[], limits: OffSpecLimits): DefectTask {
  const need = [...materialIds.map((id) => `charge_${id}_t`), 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_Cu_wtpct', ...(limits.snLimitWtPct === undefined ? [] : ['tap_Sn_wtpct'])];
  for (const c of need) if (ds.values[c] === undefined) throw new RangeError(`offSpecHeats: plant '${ds.plantId}' has no column '${c}'`);
  if (!(limits.cuLimitWtPct > 0)) throw new RangeError(`offSpecHeats: cuLimitWtPct must be > 0, got ${limits.cuLimitWtPct}`);
  const M = materialIds.length;
  const n = ds.rowCount;
  const x = new Tensor(n, M + 3);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const id of materialIds) total += ds.values[`charge_${id}_t`][i];
    materialIds.forEach((id, j) => (x.data[i * (M + 3) + j] = ds.values[`charge_${id}_t`][i] / total));
    x.data[i * (M + 3) + M] = total;
    x.data[i * (M + 3) + M + 1] = ds.values.oxygen_Nm3[i] / total;
    x.data[i * (M + 3) + M + 2] = ds.values.burner_gas_Nm3[i] / total;
    if (ds.values.tap_Cu_wtpct[i] > limits.cuLimitWtPct) labels[i] = 1;
    else if (limits.snLimitWtPct !== undefined && ds.values.tap_Sn_wtpct[i] > limits.snLimitWtPct) labels[i] = 2;
  }
  return {
    x, labels, classes: limits.snLimitWtPct === undefined ? 2 : 3,
    featureNames: [...materialIds.map((id) => `share_${id}`), 'charge_t', 'oxygen_Nm3_per_t', 'burner_gas_Nm3_per_t'],
  };
}

/** Settings of the synthetic continuous-casting defect generator. */
export interface CastingDefectOptions {
  readonly samples: number;
  readonly seed: number;
  /** Shift of the plant's mean superheat [K] (plants cast hotter or colder). Default 0. */
  readonly superheatShiftK?: number;
  /** Added to both defect logits: how defect-prone the plant is. Default 0. */
  readonly defectProneness?: number;
}

/**
 * A synthetic continuous-casting quality log with two rare defect classes (ASSUMED mechanisms,
 * chosen to match the qualitative metallurgy, not fitted to a plant): 1 = centre micro-shrinkage /
 * porosity, favoured by high superheat and high casting speed (a long liquid pool, poor feeding);
 * 2 = longitudinal surface cracks, favoured by peritectic carbon (~0.12 wt% C) and strong mould
 * cooling. Each defect's log-odds are linear in standardised features (so a logistic model can
 * learn them) with intercepts giving ~3 % and ~2 % prevalence; a heat gets at most one label
 * (shrinkage first).
 *
 * Features: superheat [K], casting speed [m/min], mould water flow [L/min per face], C [wt%],
 * |C − 0.12| [wt%].
 *
 * @example
 * const task = castingDefects({ samples: 2000, seed: 1 }); // task.classes === 3
 */
export function castingDefects(options: CastingDefectOptions): DefectTask {
  const rng = new Rng(options.seed);
  const n = options.samples;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`castingDefects: samples must be a positive integer, got ${n}`);
  const x = new Tensor(n, 5);
  const labels = new Float64Array(n);
  const shift = options.defectProneness ?? 0;
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  for (let i = 0; i < n; i++) {
    const superheat = rng.normal(30 + (options.superheatShiftK ?? 0), 8);
    const speed = rng.normal(1.2, 0.15);
    const water = rng.normal(2000, 150);
    const carbon = Math.max(0.02, rng.normal(0.18, 0.07));
    const peritectic = Math.abs(carbon - 0.12);
    x.data.set([superheat, speed, water, carbon, peritectic], i * 5);
    const shrinkage = sigmoid(-4.6 + shift + 1.4 * ((superheat - 30) / 8) + 1.0 * ((speed - 1.2) / 0.15));
    const crack = sigmoid(-5.2 + shift - 1.6 * ((peritectic - 0.06) / 0.04) + 0.9 * ((water - 2000) / 150));
    if (rng.uniform() < shrinkage) labels[i] = 1;
    else if (rng.uniform() < crack) labels[i] = 2;
  }
  return { x, labels, classes: 3, featureNames: ['superheat_K', 'casting_speed_m_per_min', 'mould_water_L_per_min', 'C_wtpct', 'C_peritectic_distance_wtpct'] };
}
