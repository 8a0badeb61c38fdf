/**
 * A learned model of EAF heats that a charge optimizer can trust outside a plant's usual recipe:
 * the mass balance fixes its structure, the heat records fix its numbers (scrap-composition
 * estimation from charge and tap analyses, as in Sandberg et al., Ironmaking & Steelmaking 2005;
 * Gaustad et al., Resour. Conserv. Recycl. 2007).
 *
 *   m_e  = Σ_j x_j · a_je · exp(θ_e + τ_e·[j obsolete])     element e reporting to steel [t]
 *   W    = Σ_j x_j · y_j · exp(ρ)                           tapped steel [t]
 *   E    = exp(β)·Σ_j x_j·b_j + π_O2·O2 + π_gas·gas + π_t·t_tap + π_0   electric energy [kWh]
 *   tap_e [wt%] = 100 m_e / W,   kWh/t = E / W
 *
 * Shared (federated) across plants: each material's steel-reporting content a_je, yield y_j and
 * net melting energy b_j — properties of the scrap grade. Kept at each plant: a recovery factor per
 * element θ (slag practice, analyser calibration), a scrap-quality factor τ on the tramp elements
 * (Cu, Sn, Ni, Cr, Mo) of obsolete scrap (regional scrap quality), an iron-yield factor ρ, a
 * furnace-efficiency factor β and its practice coefficients π. A plant that never charged turnings
 * thus predicts them from the plants that did, corrected by its own scrap quality, learned from the
 * obsolete grades it does charge.
 *
 * The network sees the standardized inputs and outputs of the federated scaling (log outputs):
 * inputs are mapped back to tonnes inside, and the outputs are standardized logs of the measured
 * quantities, so relative errors of every output count alike.
 *
 * @example
 * const model = eafChargeModel(scaling, { materials, obsolete: ['hms', 'shredded', 'turnings', 'cast_iron'] });
 * const local = keepPlantParametersLocal(model.indicesOf('plant'));
 */
import { HybridModel } from '../hybrid/hybrid-model.js';
import type { ModelScaling } from '../nn/process-model.js';
import { add, concat, div, exp, log, matmul, mul, reshape, sliceCols, sub } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';

/** The tap-chemistry elements the heat records report (Fe is the balance). */
export const eafModelElements = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo', 'C', 'Mn', 'Si', 'P', 'S'] as const;
const trampElements = new Set(['Cu', 'Sn', 'Ni', 'Cr', 'Mo']);

export interface EafChargeModelOptions {
  /** Material ids in input order (inputs are charge_<id>_t, then oxygen_Nm3, burner_gas_Nm3, tap_to_tap_min). */
  materials: readonly string[];
  /** Ids of obsolete-scrap grades, whose tramp contents carry the plant's scrap-quality factor. */
  obsolete: readonly string[];
}

/** Model inputs and outputs for a list of materials (the heat-record columns). */
export function eafChargeColumns(materials: readonly string[]): { inputs: string[]; outputs: string[] } {
  return {
    inputs: [...materials.map((id) => `charge_${id}_t`), 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min'],
    outputs: ['steel_t', 'energy_kWh_per_t', ...eafModelElements.map((e) => `tap_${e}_wtpct`)],
  };
}

/**
 * The hybrid model over standardized inputs and standardized log outputs of `scaling` (which must
 * be the federated scaling of charge inputs and log outputs). Initial values follow the scaling's
 * means: every material starts as the fleet's average composition, yield and energy.
 */
export function eafChargeModel(scaling: ModelScaling, options: EafChargeModelOptions): HybridModel {
  const J = options.materials.length;
  const E = eafModelElements.length;
  const inputs = J + 3;
  if (scaling.featureMean.length !== inputs || scaling.targetMean.length !== E + 2) {
    throw new RangeError(`eafChargeModel: scaling has ${scaling.featureMean.length} inputs and ${scaling.targetMean.length} outputs, expected ${inputs} and ${E + 2}`);
  }
  const unknown = options.obsolete.filter((id) => !options.materials.includes(id));
  if (unknown.length > 0) throw new RangeError(`eafChargeModel: obsolete grade(s) ${unknown.join(', ')} are not among the materials (${options.materials.join(', ')})`);
  const tm = scaling.targetMean;
  // Fleet averages: steel, kWh/t and wt% as geometric means; the average charge per heat.
  const charge = Array.from({ length: J }, (_, j) => scaling.featureMean[j]).reduce((a, b) => a + b, 0);
  const yield0 = Math.min(0.99, Math.exp(tm[0]) / charge);
  const energy0 = Math.exp(tm[1]);
  const composition0 = Array.from({ length: J * E }, (_, k) => (Math.exp(tm[2 + (k % E)]) / 100) * yield0);
  const row = (v: ArrayLike<number>): Tensor => new Tensor(1, v.length, Float64Array.from(v));
  const inMean = row(scaling.featureMean);
  const inStd = row(scaling.featureStd);
  const outMean = row(scaling.targetMean);
  const outStd = row(scaling.targetStd);
  const obsoleteColumn = new Tensor(J, 1, Float64Array.from(options.materials, (id) => (options.obsolete.includes(id) ? 1 : 0)));
  const onesColumn = Tensor.full(J, 1, 1);
  const trampMask = row(eafModelElements.map((e) => (trampElements.has(e) ? 1 : 0)));
  return new HybridModel({
    inputSize: inputs,
    outputSize: E + 2,
    parameters: [
      { name: 'content', initial: composition0, transform: { kind: 'log' }, unit: 't/t', description: 'steel-reporting content a_je of each material (row-major materials × elements)' },
      { name: 'yield', initial: new Array<number>(J).fill(yield0), transform: { kind: 'log' }, unit: 't/t', description: 'steel per tonne of each material' },
      { name: 'meltEnergy', initial: new Array<number>(J).fill(energy0 * yield0), transform: { kind: 'scaled', scale: 100 }, unit: 'kWh/t', description: 'net electric energy per tonne of each material' },
      { name: 'recovery', initial: new Array<number>(E).fill(0), scope: 'plant', description: 'log recovery factor θ_e of this plant' },
      { name: 'scrapQuality', initial: new Array<number>(E).fill(0), scope: 'plant', description: 'log tramp factor τ_e of this plant’s obsolete scrap' },
      { name: 'yieldFactor', initial: 0, scope: 'plant', description: 'log iron-yield factor ρ of this plant' },
      { name: 'efficiency', initial: 0, scope: 'plant', description: 'log furnace-efficiency factor β of this plant' },
      { name: 'practice', initial: [0, 0, 0, 0], transform: { kind: 'scaled', scale: 100 }, scope: 'plant', unit: 'kWh per Nm³, Nm³, min, heat', description: 'energy per Nm³ O2, per Nm³ gas, per min tap-to-tap, per heat' },
    ],
    equations: (p, z) => {
      const x = add(mul(z, inStd), inMean);
      const tonnes = sliceCols(x, 0, J);
      const practice = sliceCols(x, J, J + 3);
      const logFactor = add(matmul(onesColumn, p.recovery), matmul(obsoleteColumn, mul(p.scrapQuality, trampMask)));
      const masses = matmul(tonnes, mul(reshape(p.content, J, E), exp(logFactor)));
      const steel = mul(matmul(tonnes, p.yield, { transB: true }), exp(p.yieldFactor));
      const pr = p.practice;
      const energy = add(
        add(mul(matmul(tonnes, p.meltEnergy, { transB: true }), exp(p.efficiency)), matmul(practice, sliceCols(pr, 0, 3), { transB: true })),
        sliceCols(pr, 3, 4),
      );
      const logSteel = log(steel);
      const logs = concat([logSteel, sub(log(energy), logSteel), sub(log(mul(masses, 100)), logSteel)], 1);
      return div(sub(logs, outMean), outStd);
    },
  });
}

/** Log of the measured outputs (what the model is trained on); a non-positive value is an error naming row and column. */
export function logOutputs(y: Tensor, outputs: readonly string[], where: string): Tensor {
  const out = new Tensor(y.rows, y.cols);
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i];
    if (!(v > 0)) throw new RangeError(`${where}: row ${Math.floor(i / y.cols) + 1}, ${outputs[i % y.cols]} = ${v}; the EAF model needs positive outputs`);
    out.data[i] = Math.log(v);
  }
  return out;
}
