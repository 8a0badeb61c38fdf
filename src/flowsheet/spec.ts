/**
 * The flowsheet definition as written by a user (TS object or YAML text), validated by Zod at the edge.
 * Units have a kind that fixes their ports; streams join an outlet port to an inlet port. A stream
 * with no `from` is a feed, one with no `to` is a product.
 *
 * @example
 * const spec = parseFlowsheetSpec({
 *   components: ['A', 'B'],
 *   units: [{ name: 'M', kind: 'mixer' }, { name: 'R', kind: 'reactor' }, { name: 'S', kind: 'splitter' }],
 *   streams: [
 *     { name: 'feed', to: 'M.in1' }, { name: 's1', from: 'M.out', to: 'R.in' },
 *     { name: 's2', from: 'R.out', to: 'S.in' }, { name: 'recycle', from: 'S.out1', to: 'M.in2' },
 *     { name: 'product', from: 'S.out2' },
 *   ],
 * });
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { CrucibleError } from '../errors.js';

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a name of letters, digits, _ or -');
const portRef = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_]*$/, "'unit.port', e.g. 'R1.out'");

export const unitKinds = ['mixer', 'splitter', 'flash', 'reactor', 'column', 'heatExchanger'] as const;
export type UnitKind = (typeof unitKinds)[number];

const unitSpec = z.discriminatedUnion('kind', [
  z.object({ name, kind: z.literal('mixer'), inlets: z.number().int().min(2).max(16).default(2) }),
  z.object({ name, kind: z.literal('splitter'), outlets: z.number().int().min(2).max(16).default(2) }),
  z.object({ name, kind: z.literal('flash') }),
  z.object({ name, kind: z.literal('reactor') }),
  z.object({ name, kind: z.literal('column') }),
  z.object({ name, kind: z.literal('heatExchanger') }),
]);

const streamSpec = z
  .object({ name, from: portRef.optional(), to: portRef.optional() })
  .refine((s) => s.from !== undefined || s.to !== undefined, { message: "a stream needs 'from', 'to' or both" });

export const flowsheetSpecSchema = z.object({
  components: z.array(name).min(1),
  units: z.array(unitSpec).min(1),
  streams: z.array(streamSpec).min(1),
});

export type FlowsheetSpec = z.output<typeof flowsheetSpecSchema>;
export type FlowsheetSpecInput = z.input<typeof flowsheetSpecSchema>;
export type UnitSpec = FlowsheetSpec['units'][number];
export type StreamSpec = FlowsheetSpec['streams'][number];

/** Whether a port takes a stream in or sends one out. */
export type PortDirection = 'inlet' | 'outlet';

/** The typed ports of a unit, fixed by its kind. */
export function portsOf(unit: UnitSpec): { inlets: string[]; outlets: string[] } {
  switch (unit.kind) {
    case 'mixer':
      return { inlets: numbered('in', unit.inlets), outlets: ['out'] };
    case 'splitter':
      return { inlets: ['in'], outlets: numbered('out', unit.outlets) };
    case 'flash':
      return { inlets: ['in'], outlets: ['vapor', 'liquid'] };
    case 'reactor':
      return { inlets: ['in'], outlets: ['out'] };
    case 'column':
      return { inlets: ['in'], outlets: ['top', 'bottom'] };
    case 'heatExchanger':
      return { inlets: ['hotIn', 'coldIn'], outlets: ['hotOut', 'coldOut'] };
  }
}

function numbered(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

/**
 * Validates a flowsheet definition (object or YAML text). Throws `CONFIG_INVALID` whose message lists
 * every problem with its path, e.g. "units[2].kind: expected one of …".
 */
export function parseFlowsheetSpec(input: unknown, source = 'flowsheet'): FlowsheetSpec {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = parseYaml(input);
    } catch (e) {
      throw new CrucibleError('CONFIG_INVALID', `${source}: not valid YAML: ${(e as Error).message}`, { source });
    }
  }
  const parsed = flowsheetSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CrucibleError('CONFIG_INVALID', `${source}: ${problems.join('; ')}`, { source, problems });
  }
  return parsed.data;
}
