import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../errors.js';
import { add, matmul } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Flowsheet } from './flowsheet.js';
import { SequentialModular, type UnitModel } from './sequential.js';
import { type TearProblem, assertConverged, solveTears, tearMethods } from './solvers.js';

// Mixer → reactor (A → B, conversion X) → separator recycling fractions sA of A and sB of B.
const X = 0.35;
const sA = 0.8;
const sB = 0.3;
const feedA = 10;

function recycleFlowsheet(): SequentialModular {
  const fs = Flowsheet.from({
    components: ['A', 'B'],
    units: [{ name: 'MIX', kind: 'mixer' }, { name: 'R', kind: 'reactor' }, { name: 'SEP', kind: 'splitter' }],
    streams: [
      { name: 'feed', to: 'MIX.in1' },
      { name: 'mixed', from: 'MIX.out', to: 'R.in' },
      { name: 'effluent', from: 'R.out', to: 'SEP.in' },
      { name: 'recycle', from: 'SEP.out1', to: 'MIX.in2' },
      { name: 'product', from: 'SEP.out2' },
    ],
  });
  const m = (rows: number[][]): Tensor => Tensor.from(rows);
  const flowsOnly = m([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  const reaction = m([[1 - X, X, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
  const recycled = m([[sA, 0, 0, 0], [0, sB, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
  const kept = m([[1 - sA, 0, 0, 0], [0, 1 - sB, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
  const units: Record<string, UnitModel> = {
    MIX: ([feed, rec]) => [add(feed, matmul(rec, flowsOnly))],
    R: ([s]) => [matmul(s, reaction)],
    SEP: ([s]) => [matmul(s, recycled), matmul(s, kept)],
  };
  return new SequentialModular(fs, units);
}

function exactRecycle(): number[] {
  const rA = (sA * (1 - X) * feedA) / (1 - sA * (1 - X));
  const rB = (sB * X * (feedA + rA)) / (1 - sB);
  return [rA, rB];
}

test('every tear solver converges to the closed-form recycle of a linear mixer-reactor-separator', () => {
  const sm = recycleFlowsheet();
  assert.deepEqual(sm.tearNames.length, 1);
  const feed = Tensor.from([[feedA, 0, 300, 1]]);
  const problem = sm.tearProblem({ feeds: { feed }, parameters: {} });
  const [rA, rB] = exactRecycle();
  for (const method of tearMethods) {
    const sol = solveTears(problem, new Float64Array(problem.size), { method, tolerance: 1e-12 });
    assertConverged(sol, problem);
    // The tear may be any stream of the loop: check it through the recycle stream itself.
    const pass = sm.pass(new Tensor(1, problem.size, sol.x), { feeds: { feed }, parameters: {} });
    const recycle = pass.streams[sm.flowsheet.stream('recycle').index];
    assert.ok(Math.abs(recycle.data[0] - rA) < 1e-9, `${method}: recycle A ${recycle.data[0]} vs ${rA}`);
    assert.ok(Math.abs(recycle.data[1] - rB) < 1e-9, `${method}: recycle B ${recycle.data[1]} vs ${rB}`);
  }
});

test('Newton and Broyden need fewer iterations than direct substitution on the linear recycle', () => {
  const sm = recycleFlowsheet();
  const problem = sm.tearProblem({ feeds: { feed: Tensor.from([[feedA, 0, 300, 1]]) }, parameters: {} });
  const its = Object.fromEntries(
    tearMethods.map((method) => [method, solveTears(problem, new Float64Array(problem.size), { method, tolerance: 1e-10 }).cases[0].iterations]),
  );
  assert.ok(its.newton <= 3, `newton took ${its.newton}`);
  assert.ok(its.broyden < its.direct, `broyden ${its.broyden} vs direct ${its.direct}`);
  assert.ok(its.wegstein < its.direct, `wegstein ${its.wegstein} vs direct ${its.direct}`);
});

// Exothermic A → B CSTR with three steady states at Tc = 300 K (reference: processes.md), written as
// a tear on the reactor temperature: given T, the mass balance fixes cA and the energy balance a new T.
const k = (t: number): number => 7.2e10 * Math.exp(-8750 / t);
const heat = 5e4 / (1000 * 0.239); // −ΔH/(ρ cp), K L/mol
const cool = 5e4 / (100 * 1000 * 0.239); // UA/(V ρ cp), 1/min
const cstrMap = (t: number): number => (350 + heat * k(t) * (1 / (1 + k(t))) + cool * 300) / (1 + cool);
const cstr: TearProblem = {
  size: 1,
  evaluate: (x) => x.map(cstrMap),
  jacobian: (x) => x.map((t) => (cstrMap(t + 1e-6) - cstrMap(t - 1e-6)) / 2e-6),
  variableNames: ['reactor[T]'],
};

function cstrSteadyStates(): number[] {
  const roots: number[] = [];
  const f = (t: number): number => cstrMap(t) - t;
  for (let t = 300; t < 500; t += 0.5) {
    if (Math.sign(f(t)) !== Math.sign(f(t + 0.5))) {
      let lo = t;
      let hi = t + 0.5;
      for (let i = 0; i < 80; i++) {
        const mid = (lo + hi) / 2;
        if (Math.sign(f(mid)) === Math.sign(f(lo))) lo = mid;
        else hi = mid;
      }
      roots.push((lo + hi) / 2);
    }
  }
  return roots;
}

test('the three-steady-state CSTR: every solver, from every start, ends at a true steady state or says it did not', () => {
  const roots = cstrSteadyStates();
  assert.equal(roots.length, 3, `expected three steady states, found ${roots.map((r) => r.toFixed(2)).join(', ')}`);
  const starts = Float64Array.from({ length: 41 }, (_, i) => 300 + 5 * i);
  for (const method of tearMethods) {
    const sol = solveTears(cstr, starts, { method, tolerance: 1e-9, maxIterations: 300 });
    let converged = 0;
    sol.cases.forEach((c, i) => {
      assert.ok(c.iterations <= 300);
      if (c.status !== 'converged') return;
      converged++;
      const nearest = Math.min(...roots.map((r) => Math.abs(r - sol.x[i])));
      assert.ok(nearest < 1e-6, `${method} from ${starts[i]} K ended at ${sol.x[i]} K, not a steady state`);
    });
    assert.ok(converged >= starts.length * 0.9, `${method}: only ${converged} of ${starts.length} starts converged`);
  }
  // Substitution cannot settle on the unstable middle state (|g'| > 1 there); Newton can.
  const middle = roots[1];
  const ds = solveTears(cstr, Float64Array.of(middle + 0.01), { method: 'direct', maxIterations: 300 });
  assert.ok(Math.abs(ds.x[0] - middle) > 1, 'direct substitution stayed at the unstable steady state');
  const nt = solveTears(cstr, Float64Array.of(middle + 0.5), { method: 'newton' });
  assert.ok(Math.abs(nt.x[0] - middle) < 1e-6, `newton went to ${nt.x[0]}, middle is ${middle}`);
});

test('a recycle with no steady state is reported as NOT_CONVERGED with the tear and residual history, not a hang', () => {
  // A pure recycle that gains 10 % per pass (a "snowball"): x = 1.1 x + 1 has only a negative, unphysical root that substitution never reaches.
  const snowball: TearProblem = { size: 1, evaluate: (x) => x.map((v) => 1.1 * v + 1), variableNames: ['recycle[benzene]'] };
  const sol = solveTears(snowball, Float64Array.of(0), { method: 'direct', maxIterations: 50 });
  assert.equal(sol.cases[0].status, 'not_converged');
  assert.equal(sol.cases[0].residualHistory.length, 51);
  assert.throws(
    () => assertConverged(sol, snowball),
    (e: unknown) => isCrucibleError(e, 'NOT_CONVERGED') && /recycle\[benzene\]/.test(e.message) && Array.isArray(e.details.residualHistory),
  );
  const blowUp = solveTears({ size: 1, evaluate: (x) => x.map((v) => v * v + 1) }, Float64Array.of(2), { method: 'direct' });
  assert.equal(blowUp.cases[0].status, 'diverged');
});
