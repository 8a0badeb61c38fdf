/**
 * The cost-optimal EAF charge for a chemistry spec, solved exactly as a linear program with HiGHS
 * (Huangfu & Hall, Math. Prog. Comp. 10, 2018; the `highs` wasm build) in CPLEX LP format. The
 * charge-mix LP follows Rong & Lahdelma (2008):
 *
 *   minimise    Σ_j (p_j + c_el a_j) x_j                (+ constant practice cost)
 *   subject to  Σ_j s_j x_j = W                          (liquid steel)
 *               lo_e W ≤ Σ_j η_ej c_ej x_j ≤ hi_e W      (tap chemistry per element)
 *               Σ_j g_j x_j ≤ cap W − g_0                 (optional CO2 cap)
 *               0 ≤ x_j ≤ availability_j
 *
 * Because `simulateHeat` is affine in the tonnages (see heat.ts), this LP's optimum is the exact
 * cost optimum of the simulator: the returned heat is re-simulated and its cost must equal the LP
 * objective (checked in the tests).
 */
import { z } from 'zod';
import { loadHighs } from '../../optimize/lp.js';
import { CrucibleError } from '../../errors.js';
import { eafElements, type EafElement } from './materials.js';
import { materialCoefficients, nominalPractice, practiceTerms, simulateHeat, type EafPlant, type HeatResult } from './heat.js';

const bound = z.object({ min: z.number().min(0).max(1).optional(), max: z.number().min(0).max(1).optional() });

/** A steel grade's chemistry spec and heat size. */
export const eafSpecSchema = z.object({
  /** Liquid steel to tap [t]. */
  steelT: z.number().positive(),
  /** Tap chemistry limits as mass fractions of steel (e.g. Cu: { max: 0.003 }). */
  elements: z.object(Object.fromEntries(eafElements.map((e) => [e, bound.optional()])) as Record<EafElement, z.ZodOptional<typeof bound>>).default({}),
  /** Optional cap on CO2 per tonne of steel [t/t]. */
  maxCo2TPerTSteel: z.number().positive().optional(),
  /** Per-material availability overrides [t]. */
  availabilityT: z.record(z.string(), z.number().nonnegative()).default({}),
});
export type EafSpec = z.input<typeof eafSpecSchema>;

export interface OptimalCharge {
  /** Tonnes of each material (ids of the plant's table; zeros omitted). */
  chargeT: Record<string, number>;
  /** Total cost [$] from the LP (objective + constant practice cost). */
  costUsd: number;
  /** The charge re-simulated with the plant's nominal practice. */
  heat: HeatResult;
  /** The LP text sent to HiGHS (for audit and reproduction). */
  lp: string;
}


function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`LP coefficient must be finite, got ${v}`);
  return Number(v.toPrecision(15)).toString();
}
function linear(terms: [number, string][]): string {
  const parts: string[] = [];
  for (const [c, v] of terms) {
    if (c === 0) continue;
    parts.push(`${c < 0 ? '-' : '+'} ${num(Math.abs(c))} ${v}`);
  }
  return parts.length ? parts.join(' ') : `+ 0 ${terms[0]?.[1] ?? 'x'}`;
}

/**
 * Writes the charge LP in CPLEX LP format (row coefficients in kg per t of material).
 *
 * @example
 * console.log(chargeLp(plant, { steelT: 100, elements: { Cu: { max: 0.002 } } })); // Minimize / Subject To / Bounds / End
 */
export function chargeLp(plant: EafPlant, specInput: EafSpec): string {
  const spec = eafSpecSchema.parse(specInput);
  const W = spec.steelT;
  const practice = practiceTerms(plant, nominalPractice(plant, W));
  const rows: string[] = [];
  const mats = plant.materials.map((m) => ({ m, k: materialCoefficients(plant, m), v: `x_${m.id}` }));
  const objective = linear(mats.map(({ m, k, v }) => [m.priceUsdPerT + plant.prices.electricityUsdPerKWh * k.electricKWh, v]));
  rows.push(` steel: ${linear(mats.map(({ k, v }) => [eafElements.reduce((s, e) => s + k.steel[e], 0) * 1000, v]))} = ${num(W * 1000)}`);
  for (const e of eafElements) {
    const b = spec.elements[e];
    if (!b) continue;
    const terms = mats.map(({ k, v }): [number, string] => [k.steel[e] * 1000, v]);
    if (b.max !== undefined) rows.push(` max_${e}: ${linear(terms)} <= ${num(b.max * W * 1000)}`);
    if (b.min !== undefined) rows.push(` min_${e}: ${linear(terms)} >= ${num(b.min * W * 1000)}`);
  }
  if (spec.maxCo2TPerTSteel !== undefined) {
    const grid = plant.co2.gridKgPerKWh / 1000;
    const constant = practice.co2T + grid * practice.electricKWh + (plant.co2.electrodeKgPerKg * plant.practice.electrodeKgPerT * W) / 1000;
    rows.push(` co2: ${linear(mats.map(({ m, k, v }) => [m.co2TPerT + k.carbonCo2T + grid * k.electricKWh, v]))} <= ${num(spec.maxCo2TPerTSteel * W - constant)}`);
  }
  const bounds = mats.map(({ m, v }) => ` 0 <= ${v} <= ${num(spec.availabilityT[m.id] ?? m.availabilityT)}`);
  return ['Minimize', ` cost: ${objective}`, 'Subject To', ...rows, 'Bounds', ...bounds, 'End', ''].join('\n');
}

/**
 * Solves the cost-optimal charge for `spec` on `plant`. Throws `CrucibleError('INFEASIBLE')` when
 * no charge meets the spec with the available materials.
 *
 * @example
 * const best = await optimalCharge({ steelT: 100, elements: { Cu: { max: 0.002 } } }, plant);
 * best.chargeT; // e.g. { busheling: 40, pig_iron: 30, ... }
 */
export async function optimalCharge(specInput: EafSpec, plant: EafPlant): Promise<OptimalCharge> {
  const spec = eafSpecSchema.parse(specInput);
  const lp = chargeLp(plant, spec);
  const solver = await loadHighs();
  const result = solver.solve(lp, { output_flag: false });
  if (result.Status !== 'Optimal') {
    throw new CrucibleError('INFEASIBLE', `EAF plant ${plant.plantId}: no charge meets the spec for ${spec.steelT} t (HiGHS status: ${result.Status})`, {
      plant: plant.plantId, status: result.Status,
    });
  }
  const chargeT: Record<string, number> = {};
  for (const m of plant.materials) {
    const col = result.Columns[`x_${m.id}`];
    const x = col ? Math.max(0, col.Primal) : 0;
    if (x > 1e-9) chargeT[m.id] = x;
  }
  const practice = nominalPractice(plant, spec.steelT);
  const fixed = practiceTerms(plant, practice);
  const costUsd = result.ObjectiveValue + fixed.costUsd + plant.prices.electricityUsdPerKWh * fixed.electricKWh;
  return { chargeT, costUsd, heat: simulateHeat(plant, chargeT, practice), lp };
}
