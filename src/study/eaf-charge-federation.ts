/**
 * The federated fit of the EAF charge model over a `Grid` (`eaf-charge-fit.ts` holds the
 * arithmetic). Plant side: `eafFitHandler` answers `eaf.normal-equations` tasks — refit its own
 * factors to the coefficients it is sent, reply with its normal equations — and keeps its factors
 * (they never leave the plant). Coordinator side: `fitEafOnGrid` sums the replies through a
 * `Summation`, solves and sends the next coefficients, with Anderson acceleration. Bootstrap
 * members travel in the task config; each plant resamples its own heats for a member.
 *
 * `federatedEafFit` runs both in memory for a set of simulated plants; over gRPC, register
 * `eafFitHandler(...).handler` in each plant runtime's `handlers` and call `fitEafOnGrid` with the
 * coordinator's grid.
 *
 * @example
 * const fit = await federatedEafFit(plants, { materials, obsolete: obsoleteScrapGrades, members: 16 });
 * optimizeCharge(problem, fit.surrogates['plant-a']);
 */
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import type { Grid } from '../federation/grid.js';
import { createPlant, type PlantHandler } from '../federation/plant.js';
import { plainSummation, type Summation } from '../federation/summation.js';
import { ensembleSurrogate } from '../optimize/ensemble.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { Rng } from '../tensor/rng.js';
import type { PlantSplit } from './compare.js';
import { andersonAccelerator, fitPlantFactors, plantNormalEquations, solveSharedCoefficients, type EafContentPrior, type Heats } from './eaf-charge-fit.js';
import { eafCoefficientSurrogate, eafModelElements, neutralFactors, type EafCoefficients, type EafPlantFactors } from './eaf-charge-model.js';

/** The task kind of one alternating round. */
export const eafNormalEquationsKind = 'eaf.normal-equations';

const E = eafModelElements.length;

/** Which grades the model covers (shared by every plant of the fit). */
export interface EafModelTemplate {
  materials: readonly string[];
  obsolete: readonly string[];
}

/**
 * A plant's side of the fit: its handler, and its factors per bootstrap member (after the fit).
 * `data` is the plant's heats: x = [charge_j…, O2, gas, t_tap], y = [steel_t, kWh/t, tap wt%…].
 */
export function eafFitHandler(plantId: string, data: { x: { rows: number; cols: number; data: Float64Array }; y: { data: Float64Array } }, template: EafModelTemplate, plantIndex = 0) {
  const J = template.materials.length;
  if (data.x.cols !== J + 3) throw new RangeError(`EAF fit: plant '${plantId}' has ${data.x.cols} input columns, expected ${J + 3} (charges of ${J} materials, O2, gas, tap-to-tap)`);
  const factors = new Map<number, EafPlantFactors>();
  const heats = new Map<string, Heats>();
  const resampled = (member: number, members: number, seed: number): Heats => {
    const key = `${member}/${members}/${seed}`;
    let h = heats.get(key);
    if (h === undefined) {
      const n = data.x.rows;
      if (members === 1) h = { x: data.x.data, y: data.y.data, n };
      else {
        // The plant's own bootstrap resample of its heats for this member.
        const rng = new Rng(seed * 7919 + member * 104729 + plantIndex);
        const idx = Int32Array.from({ length: n }, () => rng.int(n));
        const x = new Float64Array(n * (J + 3));
        const y = new Float64Array(n * (2 + E));
        idx.forEach((r, k) => {
          x.set(data.x.data.subarray(r * (J + 3), (r + 1) * (J + 3)), k * (J + 3));
          y.set(data.y.data.subarray(r * (2 + E), (r + 1) * (2 + E)), k * (2 + E));
        });
        h = { x, y, n };
      }
      heats.set(key, h);
    }
    return h;
  };
  const handler: PlantHandler = async (task) => {
    const member = Number(task.config.member ?? 0);
    const h = resampled(member, Number(task.config.members ?? 1), Number(task.config.seed ?? 0));
    const c = task.arrays.content === undefined ? undefined : coefficientsFrom(template, task.arrays);
    // Round 1 carries no coefficients yet: the plant sends its statistics with neutral factors.
    const f = c === undefined ? neutralFactors() : fitPlantFactors(c, h, factors.get(member));
    factors.set(member, f);
    const ne = plantNormalEquations(c ?? { ...template, content: new Float64Array(J * E), yield: new Float64Array(J), meltEnergy: new Float64Array(J), known: [] }, f, h);
    return { ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId, numExamples: h.n, metrics: {}, arrays: { gram: ne.gram, rhs: ne.rhs, sse: ne.sse } };
  };
  return {
    handler,
    /** This plant's factors for `member`, refitted to the final coefficients. */
    factors(member: number, final: EafCoefficients, members = 1, seed = 0): EafPlantFactors {
      return fitPlantFactors(final, resampled(member, members, seed), factors.get(member));
    },
  };
}

export interface EafGridFitOptions extends EafModelTemplate {
  /** Alternating rounds. Default 60. */
  rounds?: number;
  /** Anderson acceleration depth (0: plain alternation, which needs ~10× the rounds). Default 5. */
  acceleration?: number;
  /** Default plain. */
  summation?: Summation;
  /** Prior knowledge of contents (e.g. a grade spec sheet); default none (data only). */
  prior?: EafContentPrior;
  /** Bootstrap member (its index, how many, the seed); default one member on the data as is. */
  member?: { index: number; of: number; seed: number };
  timeoutMs?: number;
}

/** The coordinator's side: alternating rounds over `plantIds` on `grid`; returns the shared coefficients. */
export async function fitEafOnGrid(grid: Grid, plantIds: readonly string[], options: EafGridFitOptions): Promise<EafCoefficients> {
  const template = { materials: options.materials, obsolete: options.obsolete };
  const rounds = options.rounds ?? 60;
  const summation = options.summation ?? plainSummation;
  const member = options.member ?? { index: 0, of: 1, seed: 0 };
  const accelerator = andersonAccelerator(options.acceleration ?? 5);
  let coefficients: EafCoefficients | undefined;
  for (let round = 1; round <= rounds; round++) {
    const arrays = coefficients === undefined ? {} : { content: coefficients.content, yield: coefficients.yield, meltEnergy: coefficients.meltEnergy };
    const config = { member: member.index, members: member.of, seed: member.seed };
    const sum = await summation.sum(grid, plantIds, { kind: eafNormalEquationsKind, runId: `eaf-fit-${member.index}`, round, config, arrays }, { timeoutMs: options.timeoutMs ?? 600_000 });
    if (sum.contributors.length !== plantIds.length) throw new RangeError(`EAF fit: ${sum.contributors.length} of ${plantIds.length} plants answered round ${round}`);
    // The prior needs the noise level, known once there are coefficients to have residuals from.
    const prior = options.prior !== undefined && coefficients !== undefined ? { ...options.prior, sse: sum.sums.sse, count: sum.count } : undefined;
    const solved = solveSharedCoefficients(template, sum.sums.gram, sum.sums.rhs, prior);
    coefficients = coefficients === undefined ? solved : accelerator.next(coefficients, solved);
  }
  return coefficients!;
}

export interface EafFitOptions extends Omit<EafGridFitOptions, 'member'> {
  /** Bootstrap members (1: the data as is). Default 1. */
  members?: number;
  seed?: number;
}

export interface EafFit {
  /** One entry per member: the shared coefficients and every plant's factors. */
  members: { coefficients: EafCoefficients; factors: Record<string, EafPlantFactors> }[];
  /** Each plant's surrogate: the members' mean, with their spread as `predictStd` when members > 1. */
  surrogates: Record<string, ProcessSurrogate>;
  /** Materials some plant in the fit charged. */
  known: readonly string[];
}

/** Fits the charge model over simulated `plants` in memory (one plant: local-only); each plant's surrogate. */
export async function federatedEafFit(plants: readonly PlantSplit[], options: EafFitOptions): Promise<EafFit> {
  if (plants.length === 0) throw new RangeError('federatedEafFit: no plants');
  const template = { materials: options.materials, obsolete: options.obsolete };
  const members = options.members ?? 1;
  const seed = options.seed ?? 0;
  const sides = plants.map((p, i) => eafFitHandler(p.plantId, p.train, template, i));
  const noModel = (): never => {
    throw new RangeError('federatedEafFit: the plants answer normal-equation tasks only');
  };
  const grid = new InMemoryGrid(plants.map((p, i) => createPlant({ plantId: p.plantId, data: p.train, validation: p.test, model: noModel, handlers: { [eafNormalEquationsKind]: sides[i].handler } })));
  const out: EafFit['members'] = [];
  try {
    for (let m = 0; m < members; m++) {
      const coefficients = await fitEafOnGrid(grid, plants.map((p) => p.plantId), { ...options, member: { index: m, of: members, seed } });
      out.push({ coefficients, factors: Object.fromEntries(plants.map((p, i) => [p.plantId, sides[i].factors(m, coefficients, members, seed)])) });
    }
  } finally {
    await grid.close();
  }
  const surrogates = Object.fromEntries(
    plants.map((p) => {
      const list = out.map((m) => eafCoefficientSurrogate(m.coefficients, m.factors[p.plantId]));
      return [p.plantId, list.length > 1 ? ensembleSurrogate(list) : list[0]];
    }),
  );
  return { members: out, surrogates, known: out[0].coefficients.known };
}

function coefficientsFrom(template: EafModelTemplate, a: Readonly<Record<string, Float64Array | undefined>>): EafCoefficients {
  const J = template.materials.length;
  const { content, yield: yieldT, meltEnergy } = a;
  if (content === undefined || yieldT === undefined || meltEnergy === undefined) throw new RangeError(`${eafNormalEquationsKind} task: needs content, yield and meltEnergy arrays`);
  if (content.length !== J * E || yieldT.length !== J || meltEnergy.length !== J) {
    throw new RangeError(`${eafNormalEquationsKind} task: content/yield/meltEnergy have ${content.length}/${yieldT.length}/${meltEnergy.length} values, expected ${J * E}/${J}/${J}`);
  }
  return { ...template, content, yield: yieldT, meltEnergy, known: template.materials.filter((_, j) => yieldT[j] > 1e-9) };
}
