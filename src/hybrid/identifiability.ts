/**
 * Practical identifiability of a hybrid model's physical parameters from data: the Gauss–Newton
 * (Cramér–Rao) standard errors σ·√diag((JᵀJ)⁻¹) at the model's current values, for ONE plant or
 * for SEVERAL plants fitted together — shared parameters common to all, each plant's
 * plant-specific parameters its own (they are nuisance parameters: the standard errors of the
 * shared ones account for them). J is the Jacobian of every prediction with respect to the
 * physical values (central differences), so the errors are in physical units.
 *
 * A standard error much larger than the parameter's size means the data cannot determine it —
 * e.g. an activation energy from a plant that only ever runs in a 4 K temperature band.
 *
 * @example
 * const se = standardErrors([{ model, x: plantA.x }, { model, x: plantB.x }], { noiseStd: 0.01 });
 * se.shared.activationTemperatureK; // [s.e. of E1, E2, E3]
 */
import { predict } from '../nn/fit.js';
import { solve } from '../tensor/ops/solve.js';
import { Tensor } from '../tensor/tensor.js';
import type { HybridModel } from './hybrid-model.js';

export interface StandardErrors {
  /** Standard errors of the shared parameters, by name (physical units). */
  readonly shared: Record<string, number[]>;
  /** Per part (plant): standard errors of its plant-specific parameters. */
  readonly plant: Array<Record<string, number[]>>;
}

interface Entry {
  readonly name: string;
  readonly index: number;
}

/**
 * Standard errors from `parts` (each a model at the plant's current values and the plant's
 * inputs), with white measurement noise `noiseStd` on every output.
 */
export function standardErrors(parts: ReadonlyArray<{ readonly model: HybridModel; readonly x: Tensor }>, options: { readonly noiseStd: number }): StandardErrors {
  if (parts.length === 0) throw new RangeError('standardErrors: no data');
  const entries = (model: HybridModel, scope: 'shared' | 'plant'): Entry[] =>
    model.describe().filter((d) => d.scope === scope).flatMap((d) => d.value.map((_, index) => ({ name: d.name, index })));
  const shared = entries(parts[0].model, 'shared');
  const local = parts.map((p) => entries(p.model, 'plant'));
  const offsets: number[] = [];
  let size = shared.length;
  for (const l of local) {
    offsets.push(size);
    size += l.length;
  }
  const information = new Float64Array(size * size);
  parts.forEach(({ model, x }, part) => {
    // Columns of this part's Jacobian: the shared entries, then its own.
    const columns = [...shared.map((e, j) => ({ e, at: j })), ...local[part].map((e, j) => ({ e, at: offsets[part] + j }))];
    const J = columns.map(({ e }) => sensitivity(model, x, e));
    for (let a = 0; a < columns.length; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let r = 0; r < J[a].length; r++) s += J[a][r] * J[b][r];
        information[columns[a].at * size + columns[b].at] += s;
        if (a !== b) information[columns[b].at * size + columns[a].at] += s;
      }
    }
  });
  const identity = new Tensor(size, size);
  for (let a = 0; a < size; a++) identity.data[a * size + a] = 1;
  const covariance = solve(new Tensor(size, size, information), identity);
  const se = (k: number): number => options.noiseStd * Math.sqrt(Math.max(0, covariance.data[k * size + k]));
  const collect = (list: Entry[], offset: number): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    list.forEach((e, j) => (out[e.name] ??= [])[e.index] = se(offset + j));
    return out;
  };
  return { shared: collect(shared, 0), plant: local.map((l, part) => collect(l, offsets[part])) };
}

/** ∂(predictions)/∂(physical value of one entry), by central differences (values restored). */
function sensitivity(model: HybridModel, x: Tensor, entry: Entry): Float64Array {
  const values = model.physicalValues()[entry.name];
  const v = values[entry.index];
  const h = 1e-5 * Math.max(Math.abs(v), 1e-3);
  const at = (value: number): Float64Array => {
    const changed = values.slice();
    changed[entry.index] = value;
    model.setPhysicalValue(entry.name, changed);
    return predict(model, x).data;
  };
  const up = at(v + h);
  const down = at(v - h);
  model.setPhysicalValue(entry.name, values);
  return up.map((u, r) => (u - down[r]) / (2 * h));
}
