/**
 * Is a model's predictive standard deviation calibrated? For inputs where the true output is known
 * (a simulator, or held-out data of a validation fleet), the standardized errors z = (ŷ − y)/σ̂
 * of a calibrated model have mean 0 and RMS 1, and |z| ≤ Φ⁻¹((1+α)/2) for a fraction α of them
 * (Kuleshov, Fenner & Ermon, ICML 2018, calibration of regression uncertainty). A chance constraint
 * ŷ + Φ⁻¹(α)σ̂ ≤ limit holds with probability α only if σ̂ is calibrated where it is evaluated:
 * RMS z < 1 means the back-off is larger than needed (over-coverage), > 1 that it is too small.
 *
 * @example
 * const [cu] = predictiveCoverage(model, inputs, truth, { outputs: ['tap_Cu_wtpct'] });
 * cu.rmsZ; // 0.66: the model's sd is about 1.5× its actual error there
 */
import { noGrad } from '../tensor/autodiff.js';
import type { Tensor } from '../tensor/tensor.js';
import { normalQuantile } from './chance.js';
import type { ProcessSurrogate } from './surrogate.js';

/** Standardized errors of one output over a set of inputs. */
export interface CoverageSummary {
  output: string;
  count: number;
  /** Mean of z = (ŷ − y)/σ̂: > 0 means the model predicts high. */
  meanZ: number;
  /** √mean z²: 1 for a calibrated σ̂. */
  rmsZ: number;
  /** Fraction of |z| ≤ Φ⁻¹((1+α)/2) (α = `confidence`): α for a calibrated σ̂. */
  covered: number;
  /** Fraction of z ≤ Φ⁻¹(α): what a one-sided chance constraint ŷ + Φ⁻¹(α)σ̂ ≤ limit relies on. */
  coveredOneSided: number;
}

/**
 * Coverage of `surrogate`'s predictive sd against `truth` [n, outputs] (the surrogate's output
 * order) at `inputs` [n, inputs]. `outputs` selects outputs by name (default all); `confidence`
 * defaults to 0.95.
 */
export function predictiveCoverage(surrogate: ProcessSurrogate, inputs: Tensor, truth: Tensor, options: { outputs?: readonly string[]; confidence?: number } = {}): CoverageSummary[] {
  if (surrogate.predictStd === undefined) throw new RangeError('predictiveCoverage: the model gives no predictive uncertainty (predictStd)');
  const m = surrogate.outputNames.length;
  if (truth.rows !== inputs.rows || truth.cols !== m) throw new RangeError(`predictiveCoverage: truth is ${truth.rows}×${truth.cols}, expected ${inputs.rows}×${m} (one row per input, one column per output)`);
  const names = options.outputs ?? surrogate.outputNames;
  for (const n of names) if (!surrogate.outputNames.includes(n)) throw new RangeError(`predictiveCoverage: '${n}' is not an output of the model (outputs: ${surrogate.outputNames.join(', ')})`);
  const alpha = options.confidence ?? 0.95;
  const twoSided = normalQuantile((1 + alpha) / 2);
  const oneSided = normalQuantile(alpha);
  const { mu, sd } = noGrad(() => ({ mu: surrogate.predict(inputs).data, sd: surrogate.predictStd!(inputs).data }));
  return names.map((output) => {
    const j = surrogate.outputNames.indexOf(output);
    let sum = 0;
    let sumSq = 0;
    let inside = 0;
    let below = 0;
    for (let r = 0; r < inputs.rows; r++) {
      const z = (mu[r * m + j] - truth.data[r * m + j]) / sd[r * m + j];
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) <= twoSided) inside++;
      if (z <= oneSided) below++;
    }
    const n = inputs.rows;
    return { output, count: n, meanZ: sum / n, rmsZ: Math.sqrt(sumSq / n), covered: inside / n, coveredOneSided: below / n };
  });
}
