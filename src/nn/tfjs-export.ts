/**
 * Export of an `Mlp` to the TensorFlow.js layers-model format (a `model.json` holding the Keras-style
 * `modelTopology` and a `weightsManifest`, plus one binary file of float32 weights), so a model
 * trained with Crucible opens in TF.js with `tf.loadLayersModel`. Pure: returns the JSON and the
 * bytes; `save.ts` writes them to a folder. Weights are rounded to float32, the only dtype TF.js
 * layers use.
 *
 * @example
 * const { modelJson, weightData } = toTfjsLayersModel(model);
 * // in TF.js: tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology,
 * //   weightSpecs: modelJson.weightsManifest[0].weights, weightData }))
 */
import type { ActivationName } from './activation.js';
import type { Mlp } from './mlp.js';

/** TF.js names of Crucible's activations (silu is TF.js's swish with α = 1). */
const tfjsActivation: Record<ActivationName, string> = {
  tanh: 'tanh',
  relu: 'relu',
  sigmoid: 'sigmoid',
  softplus: 'softplus',
  silu: 'swish',
  linear: 'linear',
};

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: TfjsWeightSpec[] }>;
}

export interface TfjsExportOptions {
  /** File name of the weights, as referenced from model.json. Default 'weights.bin'. */
  weightsPath?: string;
  /** Model name in the topology. Default 'crucible_mlp'. */
  name?: string;
}

/** The TF.js layers-model JSON and float32 weight bytes of `model`. */
export function toTfjsLayersModel(model: Mlp, options: TfjsExportOptions = {}): { modelJson: TfjsModelJson; weightData: ArrayBuffer } {
  const { widths } = model.spec;
  const layers = model.layers.map((layer, l) => {
    const last = l === model.layers.length - 1;
    const config: Record<string, unknown> = {
      units: layer.outputSize,
      activation: tfjsActivation[last ? model.spec.outputActivation : model.spec.activation],
      use_bias: true,
      kernel_initializer: { class_name: 'Zeros', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name: `dense_${l}`,
      trainable: true,
      dtype: 'float32',
    };
    if (l === 0) config.batch_input_shape = [null, widths[0]];
    return { class_name: 'Dense', config };
  });
  const weights: TfjsWeightSpec[] = [];
  model.layers.forEach((layer, l) => {
    weights.push({ name: `dense_${l}/kernel`, shape: [layer.inputSize, layer.outputSize], dtype: 'float32' });
    weights.push({ name: `dense_${l}/bias`, shape: [layer.outputSize], dtype: 'float32' });
  });
  // Kernels are [inputs, units] row-major in both libraries, so the flat order carries over as is.
  const values = new Float32Array(model.parameters.count);
  let at = 0;
  for (const layer of model.layers) {
    values.set(layer.weight.data, at);
    at += layer.weight.size;
    values.set(layer.bias.data, at);
    at += layer.bias.size;
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'crucible',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: options.name ?? 'crucible_mlp', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights }],
    },
    weightData: values.buffer,
  };
}
