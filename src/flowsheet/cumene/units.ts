/**
 * First-principles unit models of the cumene process (Luyben, Ind. Eng. Chem. Res. 2010, 49,
 * 719–734; kinetics as quoted by Gera et al., ESCAPE-21, 2011). Streams are [benzene, propylene,
 * propane, cumene, DIPB (kmol/h), T (K), P (bar)]. Columns and the flash are split models with
 * assumed split fractions (documented in docs/flowsheets.md); the alkylator is an isothermal
 * gas-phase plug-flow reactor integrated with RK4; the transalkylator has a fixed per-pass DIPB
 * conversion (no published pre-exponentials).
 *
 * @example
 * const [out] = alkylator(Float64Array.of(200, 100, 5, 0, 0, 630, 25), Float64Array.of(630, 25, 30));
 */
import { Tensor } from '../../tensor/tensor.js';
import type { UnitModel } from '../sequential.js';

export const cumeneComponents = ['benzene', 'propylene', 'propane', 'cumene', 'dipb'] as const;
export const B = 0;
export const P = 1;
export const A = 2; // propane
export const C = 3;
export const D = 4;
export const T = 5;
export const PRESSURE = 6;
export const WIDTH = 7;

/** Molar masses, kg/kmol — reactions conserve mass exactly with these (78.11 + 42.08 = 120.19, …). */
export const molarMass = [78.11, 42.08, 44.1, 120.19, 162.27] as const;

/** Gas constant, kJ/(kmol K). */
const R_GAS = 8.314;

/** A per-case unit function over plain vectors. */
export type NumericUnit = (inlets: readonly Float64Array[], parameters: Float64Array) => Float64Array[];

/** Wraps a per-case numeric unit as a (non-differentiable) batch `UnitModel`. */
export function numericUnit(fn: NumericUnit): UnitModel {
  return (inlets, parameters) => {
    const cases = inlets[0].rows;
    let outs: Tensor[] | null = null;
    for (let c = 0; c < cases; c++) {
      const rows = inlets.map((t) => t.data.subarray(c * t.cols, (c + 1) * t.cols));
      const p = parameters === null ? new Float64Array(0) : parameters.data.subarray(c * parameters.cols, (c + 1) * parameters.cols);
      const out = fn(rows, p);
      outs ??= out.map((o) => new Tensor(cases, o.length));
      out.forEach((o, k) => outs![k].data.set(o, c * o.length));
    }
    return outs!;
  };
}

/** Sum of flows; temperature flow-weighted (equal molar heat capacities assumed); lowest pressure. */
export function mix(inlets: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(WIDTH);
  let total = 0;
  let tWeighted = 0;
  let p = Infinity;
  for (const s of inlets) {
    let f = 0;
    for (let i = 0; i < T; i++) {
      out[i] += s[i];
      f += s[i];
    }
    total += f;
    tWeighted += f * s[T];
    p = Math.min(p, s[PRESSURE]);
  }
  out[T] = total > 0 ? tWeighted / total : inlets[0][T];
  out[PRESSURE] = p;
  return out;
}

/**
 * Reactor-inlet mixer with the benzene make-up controller: fresh benzene tops the benzene up to
 * `ratio` × propylene, which keeps the total recycle from snowballing. parameters = [ratio].
 * The make-up enters at 300 K.
 */
export const feedMixer: NumericUnit = (inlets, parameters) => {
  const out = mix(inlets);
  const makeup = Math.max(0, parameters[0] * out[P] - out[B]);
  const total = out.slice(0, T).reduce((a, b) => a + b, 0);
  out[T] = (out[T] * total + 300 * makeup) / (total + makeup);
  out[B] += makeup;
  return [out];
};

/** Benzene make-up (kmol/h) the controller adds for these inlets. */
export function benzeneMakeup(inlets: readonly Float64Array[], ratio: number): number {
  const out = mix(inlets);
  return Math.max(0, ratio * out[P] - out[B]);
}

export const plainMixer: NumericUnit = (inlets) => [mix(inlets)];

/** Splits by the fraction parameters[0] to out2 (the rest to out1). */
export const splitter: NumericUnit = (inlets, parameters) => {
  const s = inlets[0];
  const f = parameters[0];
  const out1 = s.slice();
  const out2 = s.slice();
  for (let i = 0; i < T; i++) {
    out2[i] = f * s[i];
    out1[i] = s[i] - out2[i];
  }
  return [out1, out2];
};

/** A split model: component fractions to the first outlet, fixed T and P per outlet. */
export function splitModel(toFirst: readonly number[], first: { temperatureK: number; pressureBar: number }, second: { temperatureK: number; pressureBar: number }): NumericUnit {
  return (inlets) => {
    const s = inlets[0];
    const a = new Float64Array(WIDTH);
    const b = new Float64Array(WIDTH);
    for (let i = 0; i < T; i++) {
      a[i] = toFirst[i] * s[i];
      b[i] = s[i] - a[i];
    }
    a[T] = first.temperatureK;
    a[PRESSURE] = first.pressureBar;
    b[T] = second.temperatureK;
    b[PRESSURE] = second.pressureBar;
    return [a, b];
  };
}

/** Reaction extents (kmol/h) of the last `alkylator` call: [cumene formation, DIPB formation]. */
export interface AlkylationResult {
  outlet: Float64Array;
  extents: [number, number];
}

/**
 * Isothermal gas-phase PFR. parameters = [T (K), P (bar), volume (m³)].
 * r1 = 2.8e7 exp(−104174/RT) C_P C_B, r2 = 2.32e9 exp(−146742/RT) C_P C_C, kmol/(m³ s), C = y P/(RT).
 */
export function alkylate(inlet: Float64Array, parameters: Float64Array, steps = 120): AlkylationResult {
  const [temperatureK, pressureBar, volume] = parameters;
  const k1 = 2.8e7 * Math.exp(-104174 / (R_GAS * temperatureK));
  const k2 = 2.32e9 * Math.exp(-146742 / (R_GAS * temperatureK));
  const cTotal = (pressureBar * 100) / (R_GAS * temperatureK); // kmol/m³ (P in kPa)
  // State in kmol/s: [B, P, A, C, D].
  let f = Array.from(inlet.subarray(0, T), (v) => v / 3600);
  const rates = (s: number[]): number[] => {
    const total = s[0] + s[1] + s[2] + s[3] + s[4];
    const c = s.map((v) => (total > 0 ? (Math.max(v, 0) / total) * cTotal : 0));
    const r1 = k1 * c[P] * c[B];
    const r2 = k2 * c[P] * c[C];
    return [-r1, -r1 - r2, 0, r1 - r2, r2];
  };
  const h = volume / steps;
  let xi1 = 0;
  let xi2 = 0;
  for (let n = 0; n < steps; n++) {
    const a1 = rates(f);
    const a2 = rates(f.map((v, i) => v + 0.5 * h * a1[i]));
    const a3 = rates(f.map((v, i) => v + 0.5 * h * a2[i]));
    const a4 = rates(f.map((v, i) => v + h * a3[i]));
    const d = a1.map((_, i) => (h / 6) * (a1[i] + 2 * a2[i] + 2 * a3[i] + a4[i]));
    // Extents from the benzene (r1) and DIPB (r2) changes keep the balances exact.
    xi1 += -d[B];
    xi2 += d[D];
    f = f.map((v, i) => v + d[i]);
  }
  const outlet = new Float64Array(WIDTH);
  outlet[B] = inlet[B] - xi1 * 3600;
  outlet[P] = inlet[P] - (xi1 + xi2) * 3600;
  outlet[A] = inlet[A];
  outlet[C] = inlet[C] + (xi1 - xi2) * 3600;
  outlet[D] = inlet[D] + xi2 * 3600;
  outlet[T] = temperatureK;
  outlet[PRESSURE] = pressureBar;
  return { outlet, extents: [xi1 * 3600, xi2 * 3600] };
}

export const alkylator: NumericUnit = (inlets, parameters) => [alkylate(inlets[0], parameters).outlet];

/** DIPB reacted (kmol/h) in the transalkylator: the per-pass conversion, limited by the benzene present. */
export function transalkylationExtent(inlet: Float64Array, conversion: number): number {
  return Math.min(conversion * inlet[D], inlet[B]);
}

/** DIPB + benzene → 2 cumene at a fixed per-pass conversion. parameters = [conversion]; leaves at 480 K, 2 bar (assumed). */
export const transalkylator: NumericUnit = (inlets, parameters) => {
  const s = inlets[0];
  const x = transalkylationExtent(s, parameters[0]);
  const out = s.slice();
  out[D] -= x;
  out[B] -= x;
  out[C] += 2 * x;
  out[T] = 480;
  out[PRESSURE] = 2;
  return [out];
};
