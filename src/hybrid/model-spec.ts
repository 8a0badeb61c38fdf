/**
 * The `model` section of a federation config: which kind of model the federation trains —
 * `neural` (an MLP regressor), `classifier` (an MLP with logits per class) or `hybrid` (a physical
 * model from `src/hybrid/examples`) — as a Zod discriminated union parsed at the edge. Errors name
 * the offending key (`model.hidden[1]`, `model.kind`) and say what was expected.
 *
 * @example
 * const spec = parseModelSpec({ kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113 });
 * const model = buildModel(spec, { inputSize: 3, outputSize: 2 });
 */
import { z } from 'zod';
import { CrucibleError } from '../errors.js';
import { activationNames, type ActivationName } from '../nn/activation.js';
import { Mlp, type Model } from '../nn/mlp.js';
import { Classifier } from '../classify/classifier.js';
import { vanDeVusseKineticsModel } from './examples/cstr-kinetics.js';
import { eafEnergyModel } from './examples/eaf-energy.js';
import { HybridModel } from './hybrid-model.js';
import { keepPlantParametersLocal } from './plant-parameters.js';
import type { PlantMiddleware } from '../federation/plant.js';

const widths = z.array(z.number().int().positive()).default([32, 32]);
const activationSchema = z.enum(activationNames as [ActivationName, ...ActivationName[]]).default('tanh');

const neuralSchema = z.strictObject({
  kind: z.literal('neural'),
  hidden: widths,
  /** All layer widths input → output (the transport config's form); overrides `hidden`. */
  widths: z.array(z.number().int().positive()).min(2).optional(),
  activation: activationSchema,
  seed: z.number().int().default(0),
});

const classifierSchema = z.strictObject({
  kind: z.literal('classifier'),
  /** Number of classes (2 = binary, one logit). The data's one target column holds labels 0 … classes − 1. */
  classes: z.number().int().min(2),
  /** Number of input features (the coordinator has no data to count them; plants check it against theirs). */
  inputs: z.number().int().positive().optional(),
  hidden: widths,
  activation: activationSchema,
  /** 'balanced' (n/(K·n_k) from federated class counts), explicit weights, or none. */
  classWeights: z.union([z.literal('balanced'), z.array(z.number().nonnegative())]).optional(),
  /** Names of the classes 0 … classes − 1, for output and reports (e.g. [in-spec, shrinkage, cracks]). */
  classNames: z.array(z.string().min(1)).optional(),
  seed: z.number().int().default(0),
}).superRefine((spec, ctx) => {
  for (const key of ['classWeights', 'classNames'] as const) {
    const v = spec[key];
    if (Array.isArray(v) && v.length !== spec.classes) ctx.addIssue({ code: 'custom', path: [key], message: `has ${v.length} entries for ${spec.classes} classes` });
  }
});

const hybridSchema = z.discriminatedUnion('example', [
  z.strictObject({
    kind: z.literal('hybrid'),
    example: z.literal('cstr-kinetics'),
    referenceTemperatureC: z.number(),
    plantActivity: z.boolean().default(false),
  }),
  z.strictObject({
    kind: z.literal('hybrid'),
    example: z.literal('eaf-energy'),
    /** Material ids in the order of the charge columns. */
    materials: z.array(z.string().min(1)).min(1),
    initialEfficiency: z.number().gt(0.3).lt(1).default(0.7),
  }),
]);

/** The model section: `kind` selects the variant. */
export const modelSpecSchema = z.union([neuralSchema, classifierSchema, hybridSchema]);
export type ModelSpec = z.infer<typeof modelSpecSchema>;

const kinds = ['neural', 'classifier', 'hybrid'] as const;

/**
 * Parses the model section; a bad section is a CONFIG_INVALID error naming each offending key under
 * `where`. A section without `kind` but with `widths` (the earlier `{ widths, activation, seed }`
 * form) is read as `kind: 'neural'`.
 */
export function parseModelSpec(input: unknown, where = 'model'): ModelSpec {
  if (typeof input === 'object' && input !== null && !('kind' in input) && 'widths' in input) input = { kind: 'neural', ...input };
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (typeof input !== 'object' || input === null || !kinds.includes(kind as (typeof kinds)[number])) {
    throw new CrucibleError('CONFIG_INVALID', `${where}.kind: expected one of ${kinds.join(', ')}, got ${JSON.stringify(kind)}`, { key: `${where}.kind` });
  }
  // Parse against the chosen variant only, so errors speak of its keys.
  const schema = kind === 'neural' ? neuralSchema : kind === 'classifier' ? classifierSchema : hybridSchema;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const keys = i.code === 'unrecognized_keys' ? `: unknown key(s) ${i.keys.join(', ')}` : `: ${i.message}`;
    return `${where}${path}${keys}`;
  });
  throw new CrucibleError('CONFIG_INVALID', `invalid ${where} section (kind '${String(kind)}'): ${issues.join('; ')}`, { keys: issues });
}

/** The data shape the model must fit. */
export interface ModelShape {
  readonly inputSize: number;
  readonly outputSize: number;
}

/**
 * The shape a spec fixes without data — a neural model with full `widths`, a hybrid model (its
 * physics fixes it) — or undefined when only the data can tell (a coordinator then needs widths).
 *
 * @example
 * modelShapeOf(parseModelSpec({ widths: [4, 16, 1] })) // { inputSize: 4, outputSize: 1 }
 */
export function modelShapeOf(spec: ModelSpec): ModelShape | undefined {
  if (spec.kind === 'neural') return spec.widths === undefined ? undefined : { inputSize: spec.widths[0], outputSize: spec.widths[spec.widths.length - 1] };
  if (spec.kind === 'classifier') return spec.inputs === undefined ? undefined : { inputSize: spec.inputs, outputSize: 1 };
  const model = spec.example === 'cstr-kinetics' ? vanDeVusseKineticsModel({ referenceTemperatureC: spec.referenceTemperatureC }) : eafEnergyModel(spec.materials);
  return { inputSize: model.inputSize, outputSize: model.outputSize };
}

/** Builds the model a spec describes, checked against the data's shape. */
export function buildModel(spec: ModelSpec, shape: ModelShape): Model {
  let model: Model;
  switch (spec.kind) {
    case 'neural':
      model = new Mlp({ widths: spec.widths ?? [shape.inputSize, ...spec.hidden, shape.outputSize], activation: spec.activation, seed: spec.seed });
      break;
    case 'classifier': {
      const inputs = spec.inputs ?? shape.inputSize;
      model = new Classifier(new Mlp({ widths: [inputs, ...spec.hidden, spec.classes === 2 ? 1 : spec.classes], activation: spec.activation, seed: spec.seed }), spec.classes);
      if (shape.outputSize !== 1) {
        throw new CrucibleError('CONFIG_INVALID', `model (kind 'classifier') needs one target column of class labels 0 … ${spec.classes - 1}, the data have ${shape.outputSize} target columns`, { key: 'model' });
      }
      break;
    }
    case 'hybrid':
      model = spec.example === 'cstr-kinetics'
        ? vanDeVusseKineticsModel({ referenceTemperatureC: spec.referenceTemperatureC, plantActivity: spec.plantActivity })
        : eafEnergyModel(spec.materials, { initialEfficiency: spec.initialEfficiency });
      break;
  }
  if (model.inputSize !== shape.inputSize || (spec.kind !== 'classifier' && model.outputSize !== shape.outputSize)) {
    throw new CrucibleError(
      'CONFIG_INVALID',
      `model (kind '${spec.kind}'${spec.kind === 'hybrid' ? `, example '${spec.example}'` : ''}) takes ${model.inputSize} inputs and gives ${model.outputSize} outputs, the data have ${shape.inputSize} inputs and ${shape.outputSize} outputs`,
      { key: 'model' },
    );
  }
  return model;
}

/**
 * The plant middleware a built model needs, to put LAST in the plant's list: a hybrid model with
 * plant-specific parameters keeps them local (`keepPlantParametersLocal`); other models need none.
 * (Classifier plants also need `classifierTasks` from `src/classify/federated.ts`, which takes
 * their data: `classifierPlantOptions` adds it.)
 *
 * @example
 * const model = buildModel(spec, shape);
 * createPlant({ plantId, data, model: () => buildModel(spec, shape), middleware: [...dp, ...plantMiddlewareFor(model)] });
 */
export function plantMiddlewareFor(model: Model): PlantMiddleware[] {
  if (!(model instanceof HybridModel)) return [];
  const plant = model.indicesOf('plant');
  return plant.length === 0 ? [] : [keepPlantParametersLocal(plant).middleware];
}
