/**
 * A setpoint-optimization problem: decision variables with bounds, fixed context, an objective and
 * constraints written as expressions over inputs and predicted outputs. Defined in TypeScript or in a
 * YAML/JSON file validated by the Zod schema below.
 *
 * @example
 * const problem = parseSetpointProblem({
 *   variables: { F_B: { min: 3, max: 6 }, T_R: { min: 70, max: 100 } },
 *   context: { F_A: 1.8275 },
 *   objective: { maximize: '(F_A + F_B) * (1143.38 * xP + 25.92 * xE) - 76.23 * F_A - 114.34 * F_B' },
 *   constraints: ['xA <= 0.12', 'xG <= 0.08'],
 * });
 */
import { z } from 'zod';
import { type Expression, parseExpression } from './expression.js';
import { normalQuantile } from './chance.js';

const variableSchema = z
  .object({
    min: z.number(),
    max: z.number(),
    /** Optional starting value (else the centre of the box and seeded random starts). */
    initial: z.number().optional(),
  })
  .refine((v) => v.min <= v.max, { message: 'min must not exceed max' });

const constraintSchema = z.union([
  z.string(),
  z
    .object({
      name: z.string().optional(),
      expression: z.string(),
      /**
       * Hold the constraint with this probability under the model's predictive uncertainty (a chance
       * constraint, e.g. 0.975): `y <= limit` becomes `y + Φ⁻¹(confidence)·sd(y) <= limit`. One side must
       * be a single model output.
       */
      confidence: z.number().gt(0.5).lt(1).optional(),
    })
    .strict(),
]);

export const setpointProblemSchema = z
  .object({
    variables: z.record(z.string(), variableSchema).refine((v) => Object.keys(v).length > 0, { message: 'at least one decision variable is needed' }),
    context: z.record(z.string(), z.number()).default({}),
    objective: z.union([z.object({ maximize: z.string() }).strict(), z.object({ minimize: z.string() }).strict()]),
    constraints: z.array(constraintSchema).default([]),
    trustRegion: z
      .object({
        /** Largest Mahalanobis distance of the model inputs from the training data's mean. */
        maxMahalanobis: z.number().positive(),
      })
      .optional(),
  })
  .strict();

export type SetpointProblemInput = z.input<typeof setpointProblemSchema>;

export interface Constraint {
  name: string;
  /** Parsed left − right (for ≤, ≥ turned around), so the constraint reads `expression ≤ 0` or `= 0`. */
  lhs: Expression;
  rhs: Expression;
  sense: '<=' | '>=' | '==';
  text: string;
  /** A chance constraint: the output it holds with `confidence`, and the back-off z = Φ⁻¹(confidence) in its sd. */
  chance?: { output: string; confidence: number; z: number };
}

export interface SetpointProblem {
  variables: { name: string; min: number; max: number; initial?: number }[];
  context: Map<string, number>;
  objective: { sense: 'maximize' | 'minimize'; expression: Expression };
  constraints: Constraint[];
  trustRegion?: { maxMahalanobis: number };
}

/** Validates a problem (e.g. parsed from YAML) and parses its expressions; errors name the key or the constraint. */
export function parseSetpointProblem(input: unknown, source = 'problem'): SetpointProblem {
  const parsed = setpointProblemSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RangeError(`Invalid optimization problem in ${source}: ${issues}`);
  }
  const p = parsed.data;
  const variables = Object.entries(p.variables).map(([name, v]) => ({ name, ...v }));
  for (const name of Object.keys(p.context)) {
    if (Object.hasOwn(p.variables, name)) throw new RangeError(`${source}: '${name}' is both a decision variable and a context value`);
  }
  const objectiveText = 'maximize' in p.objective ? p.objective.maximize : p.objective.minimize;
  const objective = {
    sense: ('maximize' in p.objective ? 'maximize' : 'minimize') as 'maximize' | 'minimize',
    expression: parseExpression(objectiveText, `${source}: objective`),
  };
  const constraints = p.constraints.map((c, i) => {
    const text = typeof c === 'string' ? c : c.expression;
    const name = typeof c === 'string' ? text : (c.name ?? text);
    const where = `${source}: constraint ${i + 1}`;
    const parsed = parseConstraint(text, name, where);
    return typeof c === 'string' || c.confidence === undefined ? parsed : chanceConstraint(parsed, c.confidence, where);
  });
  return { variables, context: new Map(Object.entries(p.context)), objective, constraints, trustRegion: p.trustRegion };
}

/** Parses "a <= b", "a >= b" or "a == b". */
export function parseConstraint(text: string, name: string, where: string): Constraint {
  const m = /^(.*?)(<=|>=|==|=)(.*)$/.exec(text);
  if (m === null) throw new SyntaxError(`${where}: '${text}' has no comparison; write 'lhs <= rhs', 'lhs >= rhs' or 'lhs == rhs'`);
  const sense = (m[2] === '=' ? '==' : m[2]) as Constraint['sense'];
  return { name, text, sense, lhs: parseExpression(m[1], where), rhs: parseExpression(m[3], where) };
}

/**
 * `y <= limit` held with probability `confidence`: y + z·sd(y) <= limit (or y − z·sd(y) >= limit),
 * z = Φ⁻¹(confidence). One side must be a single name (the model output y).
 * @example chanceConstraint(parseConstraint('xG <= 0.08', 'xG', 'c1'), 0.975, 'c1').lhs.text // 'xG + 1.959963984540054 * sd(xG)'
 */
export function chanceConstraint(c: Constraint, confidence: number, where: string): Constraint {
  if (c.sense === '==') throw new RangeError(`${where}: '${c.text}' is an equality; a confidence applies to '<=' or '>=' constraints only`);
  const single = (e: Expression): string | undefined => (e.tree.kind === 'name' ? e.tree.name : undefined);
  const onLeft = single(c.lhs);
  const output = onLeft ?? single(c.rhs);
  if (output === undefined || output.startsWith('sd(')) {
    throw new RangeError(`${where}: a confidence needs one side of '${c.text}' to be a single model output (e.g. 'xG <= 0.08')`);
  }
  const z = normalQuantile(confidence);
  // The uncertain output moves towards the limit by z standard deviations, on whichever side it is.
  const upper = (c.sense === '<=') === (onLeft !== undefined);
  const shifted = parseExpression(`${output} ${upper ? '+' : '-'} ${z} * sd(${output})`, where);
  return onLeft !== undefined
    ? { ...c, lhs: shifted, chance: { output, confidence, z } }
    : { ...c, rhs: shifted, chance: { output, confidence, z } };
}
