/**
 * A classifier plant's options for `createPlant`: its labels checked, its rows split into
 * training and held-out parts STRATIFIED by class (each class contributes the same share to the
 * held-out part — with a 2 % defect class, a plain random split can leave a small plant's
 * held-out part without a single defect), and `classifierTasks` added innermost, so evaluation,
 * class counts and the core's training all see the same split.
 *
 * @example
 * const plant = createPlant(classifierPlantOptions({ plantId, data: { x, y: labels }, model, middleware }, { classes: 3 }));
 */
import { CrucibleError } from '../errors.js';
import type { PlantData, PlantOptions } from '../federation/plant.js';
import { gatherRows } from '../tensor/ops/slice.js';
import { Rng } from '../tensor/rng.js';
import { classifierTasks } from './federated.js';

/** `options` with a stratified split, checked labels and the classifier middleware. */
export function classifierPlantOptions(options: PlantOptions, classifier: { readonly classes: number; readonly bins?: number }): PlantOptions {
  const { plantId } = options;
  const { classes } = classifier;
  checkLabels(plantId, options.data, classes, 'data');
  if (options.validation !== undefined) checkLabels(plantId, options.validation, classes, 'validation');
  const { train, validation } = options.validation === undefined
    ? stratifiedSplit(options.data, { classes, fraction: options.validationFraction ?? 0.2, seed: options.splitSeed ?? 0, plantId })
    : { train: options.data, validation: options.validation };
  return {
    ...options,
    data: train,
    validation,
    middleware: [...(options.middleware ?? []), classifierTasks({ model: options.model, train, validation, classes, bins: classifier.bins })],
  };
}

function checkLabels(plantId: string, data: PlantData, classes: number, what: string): void {
  if (data.y.cols !== 1) {
    throw new CrucibleError('CONFIG_INVALID', `plant '${plantId}': a classifier needs one target column of class labels, the ${what} have ${data.y.cols}`, { key: 'model.classes' });
  }
  data.y.data.forEach((c, row) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new CrucibleError('CONFIG_INVALID', `plant '${plantId}': target at row ${row} of its ${what} is ${c}; model.classes is ${classes}, so labels must be integers 0 … ${classes - 1}`, { key: 'model.classes', row });
    }
  });
}

/** Held-out rows: round(fraction · n_k) of each class k, drawn by a seeded permutation. */
export function stratifiedSplit(data: PlantData, options: { classes: number; fraction: number; seed: number; plantId: string }): { train: PlantData; validation: PlantData } {
  const { fraction } = options;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`plant '${options.plantId}': validationFraction must be in [0, 1), got ${fraction}`);
  const order = new Rng(options.seed).permutation(data.x.rows);
  const byClass: number[][] = Array.from({ length: options.classes }, () => []);
  for (const i of order) byClass[data.y.data[i]].push(i);
  const held: number[] = [];
  const kept: number[] = [];
  for (const rows of byClass) {
    const n = Math.round(fraction * rows.length);
    held.push(...rows.slice(0, n));
    kept.push(...rows.slice(n));
  }
  if (kept.length === 0) throw new RangeError(`plant '${options.plantId}': no training rows left after the validation split`);
  const take = (idx: number[]): PlantData => {
    const sorted = Int32Array.from(idx.sort((a, b) => a - b));
    return { x: gatherRows(data.x, sorted).detach(), y: gatherRows(data.y, sorted).detach() };
  };
  return { train: take(kept), validation: take(held) };
}
