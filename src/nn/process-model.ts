/**
 * A trained process model as a plant uses it: the network plus the names of its inputs and outputs
 * and the (federated) standardisation it was trained with, so it predicts in physical units and can
 * be saved, shared and optimised over. `predict` is differentiable with respect to its inputs.
 *
 * File format (`encodeProcessModel`): JSON with `format: "crucible-process-model/1"`, the names, the
 * scaling, provenance, and the network's bytes (`encodeModel`: float64 weights) in base64.
 *
 * @example
 * const pm = new ProcessModel(mlp, { inputNames: ['F_B', 'T_R'], outputNames: ['xP'], scaling });
 * pm.predict(Tensor.from([[4.8, 90]])).item();
 */
import { z } from 'zod';
import { CrucibleError } from '../errors.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import { add, div, mul, sub } from '../tensor/ops/index.js';
import type { Mlp } from './mlp.js';
import { decodeModel, encodeModel } from './serialize.js';

/** Standardisation of inputs (features) and outputs (targets): z = (v − mean) / std. */
export interface ModelScaling {
  readonly featureMean: Float64Array;
  readonly featureStd: Float64Array;
  readonly targetMean: Float64Array;
  readonly targetStd: Float64Array;
}

export interface ProcessModelInfo {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Default: identity (mean 0, std 1). */
  scaling?: ModelScaling;
  /** Free-form facts about how the model was made (run id, rounds, strategy, plants, ε). */
  provenance?: Record<string, string | number | boolean>;
}

export class ProcessModel {
  readonly network: Mlp;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly scaling: ModelScaling;
  readonly provenance: Record<string, string | number | boolean>;
  private readonly rows: { inMean: Tensor; inStd: Tensor; outMean: Tensor; outStd: Tensor };

  constructor(network: Mlp, info: ProcessModelInfo) {
    const { inputNames, outputNames } = info;
    if (inputNames.length !== network.inputSize) {
      throw new RangeError(`ProcessModel: ${inputNames.length} input names (${inputNames.join(', ')}) for a network with ${network.inputSize} inputs`);
    }
    if (outputNames.length !== network.outputSize) {
      throw new RangeError(`ProcessModel: ${outputNames.length} output names (${outputNames.join(', ')}) for a network with ${network.outputSize} outputs`);
    }
    const n = inputNames.length;
    const k = outputNames.length;
    const scaling = info.scaling ?? {
      featureMean: new Float64Array(n),
      featureStd: new Float64Array(n).fill(1),
      targetMean: new Float64Array(k),
      targetStd: new Float64Array(k).fill(1),
    };
    const check = (name: string, v: Float64Array, len: number): void => {
      if (v.length !== len) throw new RangeError(`ProcessModel: scaling.${name} has ${v.length} values, expected ${len}`);
      if (name.endsWith('Std') && v.some((s) => !(s > 0))) throw new RangeError(`ProcessModel: scaling.${name} must be positive, got [${Array.from(v).join(', ')}]`);
    };
    check('featureMean', scaling.featureMean, n);
    check('featureStd', scaling.featureStd, n);
    check('targetMean', scaling.targetMean, k);
    check('targetStd', scaling.targetStd, k);
    this.network = network;
    this.inputNames = [...inputNames];
    this.outputNames = [...outputNames];
    this.scaling = scaling;
    this.provenance = { ...(info.provenance ?? {}) };
    const row = (v: Float64Array): Tensor => new Tensor(1, v.length, v.slice());
    this.rows = { inMean: row(scaling.featureMean), inStd: row(scaling.featureStd), outMean: row(scaling.targetMean), outStd: row(scaling.targetStd) };
  }

  /** Standardises inputs [n, inputs] given in physical units (differentiable). */
  scaleInputs(inputs: Tensor): Tensor {
    if (inputs.cols !== this.inputNames.length) {
      throw new RangeError(`ProcessModel.predict: inputs ${shapeOf(inputs)} but the model takes ${this.inputNames.length} columns (${this.inputNames.join(', ')})`);
    }
    return div(sub(inputs, this.rows.inMean), this.rows.inStd);
  }

  /** Predictions [n, outputs] in physical units for inputs [n, inputs] in physical units (differentiable). */
  predict(inputs: Tensor): Tensor {
    return add(mul(this.network.forward(this.scaleInputs(inputs)), this.rows.outStd), this.rows.outMean);
  }
}

const fileSchema = z.object({
  format: z.literal('crucible-process-model/1'),
  inputNames: z.array(z.string()).min(1),
  outputNames: z.array(z.string()).min(1),
  scaling: z.object({ featureMean: z.string(), featureStd: z.string(), targetMean: z.string(), targetStd: z.string() }),
  provenance: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  network: z.string(),
});

const toBase64 = (v: Float64Array | Uint8Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
function float64FromBase64(s: string): Float64Array {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length % 8 !== 0) throw new CrucibleError('MESSAGE_MALFORMED', `process model: a scaling vector has ${bytes.length} bytes, not a multiple of 8`);
  const out = new Float64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

/** The model as JSON text (weights exact, in base64 float64). */
export function encodeProcessModel(pm: ProcessModel): string {
  const s = pm.scaling;
  const le = (v: Float64Array): string => {
    const b = new DataView(new ArrayBuffer(v.length * 8));
    v.forEach((x, i) => b.setFloat64(8 * i, x, true));
    return toBase64(new Uint8Array(b.buffer));
  };
  return JSON.stringify(
    {
      format: 'crucible-process-model/1',
      inputNames: pm.inputNames,
      outputNames: pm.outputNames,
      scaling: { featureMean: le(s.featureMean), featureStd: le(s.featureStd), targetMean: le(s.targetMean), targetStd: le(s.targetStd) },
      provenance: pm.provenance,
      network: toBase64(encodeModel(pm.network)),
    },
    null,
    1,
  );
}

/** Reads `encodeProcessModel`'s text; `source` (e.g. the file) is named in errors. */
export function decodeProcessModel(text: string, source = 'process model'): ProcessModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CrucibleError('MESSAGE_MALFORMED', `${source}: not JSON (${(e as Error).message})`, { source });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CrucibleError('MESSAGE_MALFORMED', `${source}: not a Crucible process model (${issues})`, { source });
  }
  const f = parsed.data;
  const network = decodeModel(new Uint8Array(Buffer.from(f.network, 'base64')));
  return new ProcessModel(network, {
    inputNames: f.inputNames,
    outputNames: f.outputNames,
    scaling: {
      featureMean: float64FromBase64(f.scaling.featureMean),
      featureStd: float64FromBase64(f.scaling.featureStd),
      targetMean: float64FromBase64(f.scaling.targetMean),
      targetStd: float64FromBase64(f.scaling.targetStd),
    },
    provenance: f.provenance,
  });
}
