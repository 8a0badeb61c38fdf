/**
 * Charge materials of an electric arc furnace: scrap grades, pig iron, DRI/HBI, ferroalloys and
 * carburiser, with element composition, metallic recovery, melting energy, price, CO2 and
 * availability.
 *
 * All numbers are ASSUMED typical values (documented in docs/simulators.md), chosen from the
 * ranges reported by Rong & Lahdelma (EJOR 189, 2008, "Fuzzy chance constrained LP for scrap
 * charge optimization"), Gaustad, Olivetti & Kirchain (MIT, 2009–2012, Cu/Sn in scrap),
 * ISRI scrap specifications (heavy melt, shredded, busheling) and worldsteel/IPCC CO2 factors —
 * not measurements of any real plant.
 */
import { z } from 'zod';

/** Elements tracked through the heat. Fe is total iron (metallic + oxidised). */
export const eafElements = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo', 'C', 'Mn', 'Si', 'P', 'S', 'Fe'] as const;
export type EafElement = (typeof eafElements)[number];

const fraction = z.number().min(0).max(1);
const elementRecord = z.object(Object.fromEntries(eafElements.map((e) => [e, fraction])) as Record<EafElement, typeof fraction>);

/** One charge material. Mass fractions of elements sum to ≤ 1; the rest is gangue (oxides, dirt, oil, ash), which reports to slag (or gas for volatiles). */
export const eafMaterialSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'material id must be lower_snake_case (used in LP and column names)'),
  name: z.string(),
  /** Element mass fractions [kg/kg]. */
  composition: elementRecord,
  /** Per-material overrides of the fraction of an element reporting to steel (e.g. Fe in DRI, Mn in FeMn). */
  recovery: elementRecord.partial().default({}),
  /** Electric-equivalent energy to melt and superheat one tonne to tap temperature, gangue included [kWh/t]. */
  meltEnergyKWhPerT: z.number(),
  priceUsdPerT: z.number().nonnegative(),
  /** Cradle-to-gate CO2 of the material [t CO2 / t]; carbon burnt in the furnace is counted separately. */
  co2TPerT: z.number().nonnegative(),
  /** Tonnes available per heat. */
  availabilityT: z.number().nonnegative(),
}).refine((m) => eafElements.reduce((s, e) => s + m.composition[e], 0) <= 1 + 1e-12, {
  message: 'element mass fractions of a material must sum to at most 1',
});
export type EafMaterial = z.infer<typeof eafMaterialSchema>;

/**
 * Gangue fraction of a material: 1 − Σ element fractions.
 *
 * @example
 * gangueFraction(referenceMaterials[0]); // 0.03 for heavy melting scrap
 */
export function gangueFraction(m: EafMaterial): number {
  let sum = 0;
  for (const e of eafElements) sum += m.composition[e];
  return Math.max(0, 1 - sum);
}

function material(
  id: string,
  name: string,
  pct: Partial<Record<EafElement, number>>,
  rest: { recovery?: Partial<Record<EafElement, number>>; melt: number; price: number; co2: number; avail: number },
  gangue: number,
): EafMaterial {
  const composition = Object.fromEntries(eafElements.map((e) => [e, (pct[e] ?? 0) / 100])) as Record<EafElement, number>;
  // Fe is the balance of the metallic part unless given.
  if (pct.Fe === undefined) {
    const others = eafElements.reduce((s, e) => (e === 'Fe' ? s : s + composition[e]), 0);
    composition.Fe = 1 - gangue - others;
  }
  return {
    id, name, composition, recovery: rest.recovery ?? {},
    meltEnergyKWhPerT: rest.melt, priceUsdPerT: rest.price, co2TPerT: rest.co2, availabilityT: rest.avail,
  };
}

/**
 * The reference materials table (compositions in wt%, gangue as the last argument). Tramp
 * elements (Cu, Sn, Ni, Cr, Mo) are highest in obsolete scrap (shredded, HMS, turnings) and
 * near zero in virgin iron units (pig iron, DRI, HBI).
 */
export const referenceMaterials: readonly EafMaterial[] = Object.freeze([
  material('hms', 'Heavy melting scrap (HMS 1&2)',
    { Cu: 0.25, Sn: 0.025, Ni: 0.1, Cr: 0.12, Mo: 0.02, C: 0.2, Mn: 0.5, Si: 0.15, P: 0.015, S: 0.02 },
    { recovery: { Fe: 0.965 }, melt: 395, price: 380, co2: 0.03, avail: 80 }, 0.03),
  material('shredded', 'Shredded scrap',
    { Cu: 0.2, Sn: 0.02, Ni: 0.08, Cr: 0.1, Mo: 0.015, C: 0.15, Mn: 0.4, Si: 0.1, P: 0.012, S: 0.015 },
    { recovery: { Fe: 0.975 }, melt: 390, price: 410, co2: 0.04, avail: 70 }, 0.02),
  material('busheling', 'Busheling / new production scrap',
    { Cu: 0.05, Sn: 0.005, Ni: 0.03, Cr: 0.04, Mo: 0.005, C: 0.06, Mn: 0.3, Si: 0.02, P: 0.01, S: 0.01 },
    { recovery: { Fe: 0.985 }, melt: 385, price: 470, co2: 0.02, avail: 40 }, 0.005),
  material('turnings', 'Turnings and borings',
    { Cu: 0.3, Sn: 0.03, Ni: 0.2, Cr: 0.25, Mo: 0.05, C: 0.4, Mn: 0.7, Si: 0.25, P: 0.02, S: 0.05 },
    { recovery: { Fe: 0.93 }, melt: 420, price: 300, co2: 0.03, avail: 20 }, 0.05),
  material('cast_iron', 'Cast iron scrap',
    { Cu: 0.15, Sn: 0.02, Ni: 0.05, Cr: 0.1, Mo: 0.01, C: 3.4, Mn: 0.6, Si: 2.0, P: 0.1, S: 0.08 },
    { recovery: { Fe: 0.97 }, melt: 345, price: 360, co2: 0.03, avail: 15 }, 0.02),
  material('pig_iron', 'Pig iron (cold)',
    { Cu: 0.01, Sn: 0.002, Ni: 0.01, Cr: 0.02, Mo: 0.002, C: 4.3, Mn: 0.5, Si: 0.7, P: 0.08, S: 0.03 },
    { recovery: { Fe: 0.985 }, melt: 330, price: 480, co2: 1.9, avail: 40 }, 0),
  material('dri', 'Direct reduced iron (gas-based, 93 % metallised)',
    { Cu: 0.003, Sn: 0.001, Ni: 0.005, Cr: 0.005, Mo: 0.001, C: 2.0, Mn: 0.05, P: 0.04, S: 0.005, Fe: 88.0 },
    { recovery: { Fe: 0.9 }, melt: 520, price: 400, co2: 1.1, avail: 50 }, 0),
  material('hbi', 'Hot briquetted iron',
    { Cu: 0.003, Sn: 0.001, Ni: 0.005, Cr: 0.005, Mo: 0.001, C: 1.2, Mn: 0.05, P: 0.04, S: 0.005, Fe: 90.0 },
    { recovery: { Fe: 0.91 }, melt: 505, price: 420, co2: 1.15, avail: 40 }, 0),
  material('femn', 'Ferromanganese (high carbon)',
    { Mn: 75, C: 7.0, Si: 1.0, P: 0.2, S: 0.01 },
    { recovery: { Mn: 0.9 }, melt: 300, price: 1300, co2: 1.5, avail: 3 }, 0),
  material('fesi', 'Ferrosilicon 75',
    { Si: 75, C: 0.1, Mn: 0.3, P: 0.03, S: 0.01 },
    { recovery: { Si: 0.8 }, melt: 200, price: 1700, co2: 4.5, avail: 2 }, 0),
  material('fecr', 'Ferrochrome (high carbon)',
    { Cr: 65, C: 7.0, Si: 1.0, P: 0.03, S: 0.04 },
    { recovery: { Cr: 0.92 }, melt: 320, price: 1500, co2: 5.0, avail: 2 }, 0),
  material('carburiser', 'Carburiser (anthracite)',
    { C: 90, S: 0.5 },
    { recovery: { C: 0.3 }, melt: 0, price: 450, co2: 0.3, avail: 3 }, 0.095),
]);
