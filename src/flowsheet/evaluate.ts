/**
 * Evaluation of a surrogate flowsheet on held-out operating points, as in Esders et al. (2024): for
 * each tear solver, the share of cases that converge and the end-to-end R² of the product streams
 * (over the converged cases), and the single-unit R² of every surrogate on its own held-out data.
 *
 * R² conventions: a product stream's R² is variance-weighted over its component flows,
 * 1 − ΣSSE/ΣSST (the main flows dominate, trace impurities barely count); a unit's R² is the plain
 * average of per-output R² over the outputs that vary in its training data (scikit-learn's
 * 'uniform_average').
 *
 * @example
 * const report = evaluateSurrogateFlowsheet(sf, testData, { maxIterations: 100 });
 * report.solvers.find((r) => r.method === 'direct')?.convergedFraction;
 */
import { noGrad } from '../tensor/autodiff.js';
import { Tensor } from '../tensor/tensor.js';
import type { SteadyStateCases } from './finetune.js';
import { type TearMethod, solveTears, tearMethods } from './solvers.js';
import type { SurrogateFlowsheet } from './surrogate-flowsheet.js';

export interface SolverEvaluation {
  readonly method: TearMethod;
  readonly cases: number;
  readonly convergedFraction: number;
  readonly divergedFraction: number;
  /** Mean iterations of the converged cases. */
  readonly meanIterations: number;
  /** End-to-end R² per product stream, over the converged cases (NaN if none converged). */
  readonly productR2: Record<string, number>;
}

export interface FlowsheetEvaluation {
  readonly solvers: SolverEvaluation[];
  /** Single-unit R² per unit on held-out unit data. */
  readonly unitR2: Record<string, number>;
}

export interface EvaluateOptions {
  /** Default all four. */
  methods?: readonly TearMethod[];
  /** Default 100. */
  maxIterations?: number;
  /** Scaled residual tolerance (residual / training std of each tear variable). Default 1e-6. */
  tolerance?: number;
  /** Initial tear guesses [cases × tearSize]. Default: the training-mean tear streams for every case. */
  initialGuess?: Float64Array;
}

export function evaluateSurrogateFlowsheet(sf: SurrogateFlowsheet, test: SteadyStateCases, options: EvaluateOptions = {}): FlowsheetEvaluation {
  const cases = test.tears.rows;
  const problem = sf.evaluator.tearProblem(test.inputs, { scale: sf.tearScale.std.data });
  const x0 = options.initialGuess ?? sf.meanGuess(cases);
  const flows = Array.from({ length: sf.flowsheet.components.length }, (_, j) => j);
  const solvers: SolverEvaluation[] = [];
  for (const method of options.methods ?? tearMethods) {
    const sol = solveTears(problem, x0, { method, maxIterations: options.maxIterations ?? 100, tolerance: options.tolerance ?? 1e-6 });
    const ok = sol.cases.map((c, i) => (c.status === 'converged' ? i : -1)).filter((i) => i >= 0);
    const pass = noGrad(() => sf.evaluator.pass(new Tensor(cases, problem.size, sol.x), test.inputs));
    const productR2: Record<string, number> = {};
    for (const name of Object.keys(test.products)) {
      const predicted = pass.streams[sf.flowsheet.stream(name).index];
      const r2 = ok.length < 2 ? NaN : r2Columns(rowsOf(predicted, ok), rowsOf(test.products[name], ok), predicted.cols, flows, 'variance');
      productR2[name] = r2;
    }
    const iterations = ok.map((i) => sol.cases[i].iterations);
    solvers.push({
      method,
      cases,
      convergedFraction: ok.length / cases,
      divergedFraction: sol.cases.filter((c) => c.status === 'diverged').length / cases,
      meanIterations: iterations.length === 0 ? NaN : iterations.reduce((a, b) => a + b, 0) / iterations.length,
      productR2,
    });
  }
  return { solvers, unitR2: unitR2(sf, test) };
}

/** Single-unit R² of every surrogate on `test`'s unit tables. */
export function unitR2(sf: SurrogateFlowsheet, test: Pick<SteadyStateCases, 'units'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const u of sf.flowsheet.units) {
    const s = sf.surrogates[u.name];
    const table = test.units[u.name];
    const predicted = noGrad(() => s.predict(table.inputs));
    out[u.name] = r2Columns(predicted.data, table.outputs.data, predicted.cols, s.outputColumns, 'uniform');
  }
  return out;
}

/** R² over `columns`: 'variance' = 1 − ΣSSE/ΣSST; 'uniform' = mean of per-column R² (columns with SST = 0 skipped). */
export function r2Columns(prediction: Float64Array, target: Float64Array, cols: number, columns: readonly number[], average: 'variance' | 'uniform'): number {
  const rows = target.length / cols;
  let sse = 0;
  let sst = 0;
  const perColumn: number[] = [];
  for (const j of columns) {
    let m = 0;
    for (let i = 0; i < rows; i++) m += target[i * cols + j];
    m /= rows;
    let e = 0;
    let t = 0;
    for (let i = 0; i < rows; i++) {
      e += (prediction[i * cols + j] - target[i * cols + j]) ** 2;
      t += (target[i * cols + j] - m) ** 2;
    }
    sse += e;
    sst += t;
    if (t > 0) perColumn.push(1 - e / t);
  }
  if (average === 'variance') return sst === 0 ? NaN : 1 - sse / sst;
  return perColumn.length === 0 ? NaN : perColumn.reduce((a, b) => a + b, 0) / perColumn.length;
}

function rowsOf(t: Tensor, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * t.cols);
  rows.forEach((r, i) => out.set(t.data.subarray(r * t.cols, (r + 1) * t.cols), i * t.cols));
  return out;
}
