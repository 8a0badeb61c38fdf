/**
 * Calibration of the EAF charge model's predictive sd on a simulated fleet: the standardized
 * errors of the predicted tap chemistry against the simulator's EXPECTED outputs (nominal scrap
 * compositions: the chemistry the spec is scored on, without that heat's scrap scatter or analysis
 * error) at given charges — the held-out heats, or charges near the optimum.
 *
 * @example
 * const [cu] = eafPredictiveCoverage(plant, split.test.x, fit.surrogates['plant-a'], { outputs: ['tap_Cu_wtpct'] });
 */
import { simulateHeat, type EafPlant } from '../process/eaf/heat.js';
import { predictiveCoverage, type CoverageSummary } from '../optimize/coverage.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { Tensor } from '../tensor/tensor.js';

/** Coverage at `inputs` (heat-record rows: charges of the plant's materials, O2, gas, tap-to-tap) against `plant`'s simulator. */
export function eafPredictiveCoverage(plant: EafPlant, inputs: Tensor, surrogate: ProcessSurrogate, options: { outputs?: readonly string[]; confidence?: number } = {}): CoverageSummary[] {
  const J = plant.materials.length;
  if (inputs.cols !== J + 3) throw new RangeError(`eafPredictiveCoverage: inputs have ${inputs.cols} columns, expected ${J + 3} (charges of ${J} materials, O2, gas, tap-to-tap)`);
  const outputs = surrogate.outputNames;
  const truth = new Tensor(inputs.rows, outputs.length);
  for (let r = 0; r < inputs.rows; r++) {
    const x = inputs.data.subarray(r * (J + 3), (r + 1) * (J + 3));
    const heat = simulateHeat(plant, Object.fromEntries(plant.materials.map((m, j) => [m.id, x[j]])), { oxygenNm3: x[J], burnerGasNm3: x[J + 1], tapToTapMin: x[J + 2] });
    outputs.forEach((name, j) => {
      const element = /^tap_([A-Za-z]+)_wtpct$/.exec(name)?.[1];
      const value = name === 'steel_t' ? heat.steelT : name === 'energy_kWh_per_t' ? heat.electricKWhPerT : element !== undefined ? 100 * heat.tap[element as keyof typeof heat.tap] : Number.NaN;
      if (!Number.isFinite(value)) throw new RangeError(`eafPredictiveCoverage: no simulator value for output '${name}'`);
      truth.data[r * outputs.length + j] = value;
    });
  }
  return predictiveCoverage(surrogate, inputs, truth, options);
}
