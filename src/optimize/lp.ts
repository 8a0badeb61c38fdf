/**
 * Linear (and mixed-integer) programs solved exactly by HiGHS (Huangfu & Hall 2018) through the
 * `highs` npm package (a WebAssembly build, no native binary). Problems are described as typed data and
 * written to CPLEX LP format here, so callers never assemble model text by hand.
 *
 * @example
 * const s = await solveLinearProgram({
 *   sense: 'minimize',
 *   variables: [{ name: 'x', lower: 0 }, { name: 'y', lower: 0 }],
 *   objective: { x: 1, y: 2 },
 *   constraints: [{ name: 'demand', terms: { x: 1, y: 1 }, lower: 3 }],
 * });
 * s.values.x // 3
 */
import highsModule from 'highs';
import { CrucibleError } from '../errors.js';

export interface LpVariable {
  name: string;
  /** Default 0. Use -Infinity for a free variable. */
  lower?: number;
  /** Default +Infinity. */
  upper?: number;
  /** Integer variable (makes the problem a MILP). Default false. */
  integer?: boolean;
}

export interface LpConstraint {
  name: string;
  /** Coefficient per variable name. */
  terms: Record<string, number>;
  lower?: number;
  upper?: number;
}

export interface LinearProgram {
  sense: 'minimize' | 'maximize';
  variables: LpVariable[];
  objective: Record<string, number>;
  constraints: LpConstraint[];
}

export interface LpSolution {
  objective: number;
  values: Record<string, number>;
  /** Row activities and duals (shadow prices) by constraint name (LPs only; 0 for MILPs). */
  rows: Record<string, { activity: number; dual: number }>;
}

type HighsLoader = typeof import('highs').default;
type Highs = Awaited<ReturnType<HighsLoader>>;
// `highs` is CommonJS: under Node's ESM interop its default import is module.exports, the loader itself,
// while TypeScript's NodeNext view is the namespace; accept both.
const highsLoader: HighsLoader = ((highsModule as unknown as { default?: HighsLoader }).default ?? highsModule) as unknown as HighsLoader;
let highsPromise: Promise<Highs> | null = null;

/** The HiGHS solver, loaded once per process (the wasm module is large). */
export function loadHighs(): Promise<Highs> {
  if (highsPromise === null) highsPromise = highsLoader();
  return highsPromise;
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function checkName(kind: string, name: string): void {
  if (!namePattern.test(name) || name.length > 255) {
    throw new RangeError(`LP ${kind} name '${name}' must start with a letter or '_' and contain only letters, digits, '_' and '.'`);
  }
}

function num(v: number): string {
  // LP format needs plain decimal or exponent notation; infinities are written as 'inf'.
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) ? String(v) : v.toPrecision(17);
}

function linear(terms: Record<string, number>): string {
  const parts = Object.entries(terms)
    .filter(([, c]) => c !== 0)
    .map(([name, c], i) => `${c < 0 ? '-' : i === 0 ? '' : '+'} ${num(Math.abs(c))} ${name}`);
  return parts.length === 0 ? '0 __zero' : parts.join(' ');
}

/** The problem in CPLEX LP format. */
export function toLpFormat(lp: LinearProgram): string {
  const known = new Set<string>();
  for (const v of lp.variables) {
    checkName('variable', v.name);
    if (known.has(v.name)) throw new RangeError(`LP variable '${v.name}' is declared twice`);
    known.add(v.name);
  }
  const checkTerms = (where: string, terms: Record<string, number>): void => {
    for (const [name, c] of Object.entries(terms)) {
      if (!known.has(name)) throw new RangeError(`LP ${where} uses unknown variable '${name}'`);
      if (!Number.isFinite(c)) throw new RangeError(`LP ${where} has coefficient ${c} for '${name}'`);
    }
  };
  checkTerms('objective', lp.objective);
  const rows: string[] = [];
  for (const c of lp.constraints) {
    checkName('constraint', c.name);
    checkTerms(`constraint '${c.name}'`, c.terms);
    const lo = c.lower ?? -Infinity;
    const hi = c.upper ?? Infinity;
    if (lo > hi) throw new RangeError(`LP constraint '${c.name}' has lower ${lo} > upper ${hi}`);
    const expr = linear(c.terms);
    if (lo === hi) rows.push(` ${c.name}: ${expr} = ${num(lo)}`);
    else {
      if (Number.isFinite(lo) && Number.isFinite(hi)) rows.push(` ${c.name}: ${num(lo)} <= ${expr} <= ${num(hi)}`);
      else if (Number.isFinite(lo)) rows.push(` ${c.name}: ${expr} >= ${num(lo)}`);
      else if (Number.isFinite(hi)) rows.push(` ${c.name}: ${expr} <= ${num(hi)}`);
    }
  }
  const bounds = lp.variables.map((v) => {
    const lo = v.lower ?? 0;
    const hi = v.upper ?? Infinity;
    if (lo > hi) throw new RangeError(`LP variable '${v.name}' has lower ${lo} > upper ${hi}`);
    return lo === -Infinity && hi === Infinity ? ` ${v.name} free` : ` ${num(lo)} <= ${v.name} <= ${num(hi)}`;
  });
  const usesZero = rows.some((r) => r.includes('__zero')) || linear(lp.objective).includes('__zero');
  if (usesZero) bounds.push(' 0 <= __zero <= 0');
  const integers = lp.variables.filter((v) => v.integer).map((v) => v.name);
  return [
    lp.sense === 'minimize' ? 'Minimize' : 'Maximize',
    ` obj: ${linear(lp.objective)}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    ...(integers.length > 0 ? ['General', ` ${integers.join(' ')}`] : []),
    'End',
  ].join('\n');
}

/**
 * Solves `lp` exactly. An infeasible or unbounded problem is a `CrucibleError('INFEASIBLE')` that says which.
 */
export async function solveLinearProgram(lp: LinearProgram): Promise<LpSolution> {
  const highs = await loadHighs();
  const text = toLpFormat(lp);
  const result = highs.solve(text, { output_flag: false });
  if (result.Status !== 'Optimal') {
    throw new CrucibleError('INFEASIBLE', `Linear program has no optimal solution: HiGHS reports '${result.Status}'`, { status: result.Status });
  }
  const values: Record<string, number> = {};
  for (const v of lp.variables) values[v.name] = result.Columns[v.name]?.Primal ?? 0;
  const rows: Record<string, { activity: number; dual: number }> = {};
  const activeRows = lp.constraints.filter((c) => Number.isFinite(c.lower ?? -Infinity) || Number.isFinite(c.upper ?? Infinity));
  activeRows.forEach((c, i) => {
    const r = result.Rows[i] as { Primal: number; Dual?: number } | undefined;
    rows[c.name] = { activity: r?.Primal ?? NaN, dual: r?.Dual ?? 0 };
  });
  return { objective: result.ObjectiveValue, values, rows };
}
