/**
 * A plant's EAF charge model as a file (`crucible-eaf-charge-model/1` JSON): the shared
 * coefficients and this plant's factors of every bootstrap member, plain numbers (the model is
 * small). `crucible optimize charge --model` reads it; `crucible optimize eaf-study --models DIR`
 * writes one per plant. Encoding is pure; the CLI does the IO.
 *
 * @example
 * const text = encodeEafChargeModel('plant-a', fit.members);
 * const model = decodeEafChargeModel(text, 'plant-a.charge-model.json');
 * model.surrogate.predict(x);
 */
import { z } from 'zod';
import { CrucibleError } from '../errors.js';
import { ensembleSurrogate } from '../optimize/ensemble.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { eafCoefficientSurrogate, eafModelElements, type EafCoefficients, type EafPlantFactors } from './eaf-charge-model.js';

const numbers = z.array(z.number());
const memberSchema = z.object({
  coefficients: z.object({ content: numbers, yield: numbers, meltEnergy: numbers }),
  factors: z.object({
    recovery: numbers, scrapQuality: numbers, yieldFactor: z.number(),
    energy: z.object({ scale: z.number(), practice: numbers.length(3), perHeatKWh: z.number() }),
  }),
});
const fileSchema = z.object({
  format: z.literal('crucible-eaf-charge-model/1'),
  plantId: z.string().min(1),
  materials: z.array(z.string().min(1)).min(1),
  obsolete: z.array(z.string()),
  known: z.array(z.string()),
  members: z.array(memberSchema).min(1),
});

/** A decoded charge model: its plant, materials, the materials it knows, and the surrogate (ensemble when several members). */
export interface EafChargeModelFile {
  plantId: string;
  materials: string[];
  known: string[];
  members: { coefficients: EafCoefficients; factors: EafPlantFactors }[];
  surrogate: ProcessSurrogate;
}

/** The file text for `plantId` from fitted members (each: shared coefficients and that plant's factors). */
export function encodeEafChargeModel(plantId: string, members: readonly { coefficients: EafCoefficients; factors: EafPlantFactors }[]): string {
  if (members.length === 0) throw new RangeError('encodeEafChargeModel: no members');
  const c0 = members[0].coefficients;
  return JSON.stringify(
    {
      format: 'crucible-eaf-charge-model/1', plantId, materials: c0.materials, obsolete: c0.obsolete, known: c0.known,
      members: members.map((m) => ({
        coefficients: { content: Array.from(m.coefficients.content), yield: Array.from(m.coefficients.yield), meltEnergy: Array.from(m.coefficients.meltEnergy) },
        factors: { recovery: Array.from(m.factors.recovery), scrapQuality: Array.from(m.factors.scrapQuality), yieldFactor: m.factors.yieldFactor, energy: { ...m.factors.energy, practice: Array.from(m.factors.energy.practice) } },
      })),
    },
    null,
    1,
  );
}

/** Reads `encodeEafChargeModel`'s text; `source` (e.g. the file) is named in errors. */
export function decodeEafChargeModel(text: string, source = 'EAF charge model'): EafChargeModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${source}: not JSON (${(e as Error).message})`, { source });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CrucibleError('MESSAGE_MALFORMED', `${source}: not a Crucible EAF charge model (${issues})`, { source });
  }
  const f = parsed.data;
  const J = f.materials.length;
  const E = eafModelElements.length;
  const members = f.members.map((m, i) => {
    const check = (what: string, v: number[], n: number): Float64Array => {
      if (v.length !== n) throw new CrucibleError('MESSAGE_MALFORMED', `${source}: members[${i}].${what} has ${v.length} values, expected ${n}`, { source });
      return Float64Array.from(v);
    };
    const coefficients: EafCoefficients = {
      materials: f.materials, obsolete: f.obsolete, known: f.known,
      content: check('coefficients.content', m.coefficients.content, J * E), yield: check('coefficients.yield', m.coefficients.yield, J), meltEnergy: check('coefficients.meltEnergy', m.coefficients.meltEnergy, J),
    };
    const factors: EafPlantFactors = {
      recovery: check('factors.recovery', m.factors.recovery, E), scrapQuality: check('factors.scrapQuality', m.factors.scrapQuality, E), yieldFactor: m.factors.yieldFactor,
      energy: { scale: m.factors.energy.scale, practice: Float64Array.from(m.factors.energy.practice), perHeatKWh: m.factors.energy.perHeatKWh },
    };
    return { coefficients, factors };
  });
  const list = members.map((m) => eafCoefficientSurrogate(m.coefficients, m.factors));
  return { plantId: f.plantId, materials: f.materials, known: f.known, members, surrogate: list.length > 1 ? ensembleSurrogate(list) : list[0] };
}
