/**
 * Steady-state data of the cumene plant over randomized operating conditions (seeded): for every
 * unit, rows of [inlet streams…, unit parameters] → [outlet streams…], as a plant historian would
 * hold them once the plant has settled; and for the whole flowsheet, the feeds, parameters, tear
 * streams and product streams of each case (the targets of end-to-end fine-tuning).
 *
 * @example
 * const data = generateCumeneData({ cases: 200, seed: 1, spread: 0.3 });
 * data.units.R1.inputs; // Tensor [200, 7 + 3]
 */
import { Tensor } from '../../tensor/tensor.js';
import type { FlowsheetInputs } from '../sequential.js';
import { type CumeneConditions, type CumenePlant, type SampleConditionsOptions, nominalCumenePlant, sampleCumeneConditions, simulateCumene } from './process.js';

/** One unit's steady-state table: inputs [inlet streams…, parameters], outputs [outlet streams…]. */
export interface UnitData {
  readonly inputs: Tensor;
  readonly outputs: Tensor;
  /** Streams per inlet/outlet and parameter count, to split rows back into ports. */
  readonly inletCount: number;
  readonly outletCount: number;
  readonly parameterCount: number;
}

export interface FlowsheetData {
  readonly conditions: CumeneConditions[];
  readonly inputs: FlowsheetInputs;
  /** Converged tear vector per case [cases, tearSize] (the evaluator's tear order). */
  readonly tears: Tensor;
  /** Product streams by name, [cases, width]. */
  readonly products: Record<string, Tensor>;
  /** Per-unit tables by unit name. */
  readonly units: Record<string, UnitData>;
}

export interface GenerateOptions {
  /** Number of operating points. */
  cases: number;
  seed: number;
  /** See `sampleCumeneConditions`. Default 'uniform'. */
  spread?: number | 'uniform';
  /** See `sampleCumeneConditions`. */
  window?: SampleConditionsOptions['window'];
  plant?: CumenePlant;
}

/** Simulates `cases` randomized operating points and slices the results per unit. */
export function generateCumeneData(options: GenerateOptions): FlowsheetData {
  const conditions = sampleCumeneConditions(options.cases, options.seed, { spread: options.spread, window: options.window });
  return cumeneDataFor(conditions, options.plant ?? nominalCumenePlant);
}

/** The data for given operating points. */
export function cumeneDataFor(conditions: CumeneConditions[], plant: CumenePlant = nominalCumenePlant): FlowsheetData {
  const sim = simulateCumene(conditions, plant);
  const n = conditions.length;
  const fs = sim.flowsheet;
  const w = fs.width;
  const rowsOf = (stream: number): Float64Array[] => sim.streams[fs.streams[stream].name];
  const units: Record<string, UnitData> = {};
  for (const u of fs.units) {
    const params = sim.inputs.parameters[u.name];
    const p = params?.cols ?? 0;
    const inputs = new Tensor(n, u.inletStreams.length * w + p);
    const outputs = new Tensor(n, u.outletStreams.length * w);
    for (let c = 0; c < n; c++) {
      u.inletStreams.forEach((s, k) => inputs.data.set(rowsOf(s)[c], c * inputs.cols + k * w));
      if (params !== undefined) inputs.data.set(params.data.subarray(c * p, (c + 1) * p), c * inputs.cols + u.inletStreams.length * w);
      u.outletStreams.forEach((s, k) => outputs.data.set(rowsOf(s)[c], c * outputs.cols + k * w));
    }
    units[u.name] = { inputs, outputs, inletCount: u.inletStreams.length, outletCount: u.outletStreams.length, parameterCount: p };
  }
  const products: Record<string, Tensor> = {};
  for (const s of fs.products) {
    const name = fs.streams[s].name;
    const t = new Tensor(n, w);
    rowsOf(s).forEach((row, c) => t.data.set(row, c * w));
    products[name] = t;
  }
  return { conditions, inputs: sim.inputs, tears: new Tensor(n, sim.evaluator.tearSize, sim.solution.x.slice()), products, units };
}
