/** Activation functions by name, as used in layer and model specs. */
import type { Tensor } from '../tensor/tensor.js';
import { relu, sigmoid, silu, softplus, tanh } from '../tensor/ops/index.js';

export const activations = {
  tanh,
  relu,
  sigmoid,
  softplus,
  silu,
  linear: (x: Tensor): Tensor => x,
} as const;

export type ActivationName = keyof typeof activations;

export const activationNames = Object.keys(activations) as ActivationName[];

/**
 * The activation called `name`; an unknown name is a RangeError listing the known ones, prefixed by
 * `where` (e.g. "Mlp activation") when given.
 *
 * @example
 * activation('tanh')(x);
 */
export function activation(name: string, where?: string): (x: Tensor) => Tensor {
  if (typeof name !== 'string' || !Object.hasOwn(activations, name)) {
    const prefix = where === undefined ? '' : `${where}: `;
    throw new RangeError(`${prefix}Unknown activation '${String(name)}': expected one of ${activationNames.join(', ')}`);
  }
  return activations[name as ActivationName];
}
