/**
 * Sequential-modular evaluation: with the tear streams given, the units run one after another in the
 * planned order, each mapping its inlet streams (and its parameters) to its outlet streams. One pass
 * yields every stream and the recomputed tear streams g(x); the tear solvers drive x = g(x).
 *
 * Values are tensors of a batch of cases ([cases, width] per stream), so a pass over differentiable
 * unit models (surrogates) is differentiable end to end: Newton gets its Jacobian from autodiff and
 * fine-tuning backpropagates through unrolled passes.
 *
 * @example
 * const sm = new SequentialModular(flowsheet, { M: mixerFn, R: reactorFn, S: splitterFn });
 * const problem = sm.tearProblem({ feeds: { feed }, parameters: {} });
 * const sol = solveTears(problem, sm.initialGuess(feedsCount, 0));
 */
import { backward, noGrad } from '../tensor/autodiff.js';
import { concat, sliceCols } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { Flowsheet } from './flowsheet.js';
import type { TearProblem } from './solvers.js';
import { type TearPlan, planTears } from './tearing.js';

/** A unit's model: inlet streams (in port order) and parameters, each [cases, ·], to outlet streams. */
export type UnitModel = (inlets: readonly Tensor[], parameters: Tensor | null) => Tensor[];

/** What drives a batch of cases: feed stream values and per-unit parameters, by name. */
export interface FlowsheetInputs {
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly parameters: Readonly<Record<string, Tensor>>;
}

export interface PassResult {
  /** Every stream's value, by stream index (tear streams: the values fed in). */
  readonly streams: Tensor[];
  /** The tear streams as recomputed by the pass, side by side [cases, tears × width]. */
  readonly tearOut: Tensor;
}

export class SequentialModular {
  readonly flowsheet: Flowsheet;
  readonly plan: TearPlan;
  readonly units: Readonly<Record<string, UnitModel>>;

  constructor(flowsheet: Flowsheet, units: Readonly<Record<string, UnitModel>>, options: { tears?: readonly string[] } = {}) {
    for (const u of flowsheet.units) {
      if (units[u.name] === undefined) throw new RangeError(`SequentialModular: no model given for unit '${u.name}'`);
    }
    this.flowsheet = flowsheet;
    this.units = units;
    const edges = flowsheet.edges();
    const plan = planTears(flowsheet.units.length, edges);
    if (options.tears === undefined) this.plan = plan;
    else {
      // Caller-chosen tears: the order must still be acyclic once they are cut.
      const tears = options.tears.map((n) => flowsheet.stream(n).index).sort((a, b) => a - b);
      this.plan = { ...plan, ...planTearsWith(flowsheet, tears) };
    }
  }

  /** Names of the tear streams, in the order their values sit in the tear vector. */
  get tearNames(): string[] {
    return this.plan.tears.map((s) => this.flowsheet.streams[s].name);
  }

  /** Length of the tear vector of one case. */
  get tearSize(): number {
    return this.plan.tears.length * this.flowsheet.width;
  }

  /** One pass around the flowsheet with tear values `tears` [cases, tearSize]. */
  pass(tears: Tensor, inputs: FlowsheetInputs): PassResult {
    const fs = this.flowsheet;
    const w = fs.width;
    const streams: (Tensor | undefined)[] = new Array(fs.streams.length);
    for (const f of fs.feeds) {
      const name = fs.streams[f].name;
      const v = inputs.feeds[name];
      if (v === undefined) throw new RangeError(`SequentialModular.pass: no value for feed stream '${name}'`);
      if (v.cols !== w || v.rows !== tears.rows) {
        throw new RangeError(`SequentialModular.pass: feed '${name}' is [${v.rows}, ${v.cols}], expected [${tears.rows}, ${w}]`);
      }
      streams[f] = v;
    }
    this.plan.tears.forEach((s, k) => {
      streams[s] = sliceCols(tears, k * w, (k + 1) * w);
    });
    const computed = new Map<number, Tensor>();
    for (const ui of this.plan.order) {
      const unit = fs.units[ui];
      const inlets = unit.inletStreams.map((s) => streams[s]!);
      const outlets = this.units[unit.name](inlets, inputs.parameters[unit.name] ?? null);
      if (outlets.length !== unit.outletStreams.length) {
        throw new RangeError(`unit '${unit.name}': model returned ${outlets.length} outlets, ports are ${unit.outlets.join(', ')}`);
      }
      unit.outletStreams.forEach((s, k) => {
        if (this.plan.tears.includes(s)) computed.set(s, outlets[k]);
        else streams[s] = outlets[k];
      });
    }
    const tearOut = this.plan.tears.length === 0 ? new Tensor(tears.rows, 0) : concat(this.plan.tears.map((s) => computed.get(s)!), 1);
    return { streams: streams as Tensor[], tearOut };
  }

  /**
   * The tear problem x = g(x) for a batch of cases, for the solvers: values without a tape, and the
   * per-case Jacobian by reverse mode — one pass, then one backward sweep per tear variable, seeded
   * in every row at once (cases are independent, so row b of the input gradient is row j of case
   * b's Jacobian).
   */
  tearProblem(inputs: FlowsheetInputs, options: { scale?: Float64Array } = {}): TearProblem {
    const n = this.tearSize;
    const width = this.flowsheet.width;
    const names = this.tearNames;
    return {
      size: n,
      scale: options.scale,
      variableNames: Array.from({ length: n }, (_, i) => `${names[Math.floor(i / width)]}[${this.variableName(i % width)}]`),
      subset: (rows) => this.tearProblem(selectRows(inputs, rows), options),
      evaluate: (x, cases) => noGrad(() => this.pass(new Tensor(cases, n, x.slice()), inputs).tearOut.data.slice()),
      jacobian: (x, cases) => {
        const xt = new Tensor(cases, n, x.slice(), { requiresGrad: true });
        const out = this.pass(xt, inputs).tearOut;
        const jac = new Float64Array(cases * n * n);
        if (!out.requiresGrad) return jac;
        const seed = new Float64Array(cases * n);
        for (let j = 0; j < n; j++) {
          seed.fill(0);
          for (let c = 0; c < cases; c++) seed[c * n + j] = 1;
          xt.grad = null;
          backward(out, seed, { only: [xt] });
          const g = xt.grad;
          if (g === null) continue;
          for (let c = 0; c < cases; c++) for (let i = 0; i < n; i++) jac[c * n * n + j * n + i] = g[c * n + i];
        }
        return jac;
      },
    };
  }

  /** 'benzene', …, 'T', 'P' for position i of a stream vector. */
  variableName(i: number): string {
    const c = this.flowsheet.components;
    return i < c.length ? c[i] : i === c.length ? 'T' : 'P';
  }
}

/** The given cases (rows) of every feed and parameter tensor. */
export function selectRows(inputs: FlowsheetInputs, rows: readonly number[]): FlowsheetInputs {
  const pick = (t: Tensor): Tensor => {
    const out = new Tensor(rows.length, t.cols);
    rows.forEach((r, i) => out.data.set(t.data.subarray(r * t.cols, (r + 1) * t.cols), i * t.cols));
    return out;
  };
  const map = (o: Readonly<Record<string, Tensor>>): Record<string, Tensor> => Object.fromEntries(Object.entries(o).map(([k, t]) => [k, pick(t)]));
  return { feeds: map(inputs.feeds), parameters: map(inputs.parameters) };
}

function planTearsWith(flowsheet: Flowsheet, tears: number[]): { tears: number[]; order: number[] } {
  const kept = flowsheet.edges().filter((e) => !tears.includes(e.stream));
  const plan = planTears(flowsheet.units.length, kept);
  if (plan.recycleGroups.length > 0) {
    const loop = plan.loops[0].map((s) => flowsheet.streams[s].name).join(' → ');
    throw new RangeError(`SequentialModular: the given tears leave a recycle uncut: ${loop}`);
  }
  return { tears, order: plan.order };
}
