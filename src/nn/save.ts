/**
 * File helpers over the pure byte formats: the one place in nn/ that touches the file system.
 *
 * @example
 * await saveModel(model, 'runs/7/model.crm');
 * const same = await loadModel('runs/7/model.crm');
 * await exportTfjsModel(model, 'export/tfjs'); // model.json + weights.bin
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-file.js';
import { CrucibleError } from '../errors.js';
import type { Mlp } from './mlp.js';
import { decodeModel, encodeModel } from './serialize.js';
import { type ProcessModel, decodeProcessModel, encodeProcessModel } from './process-model.js';
import { type TfjsExportOptions, toTfjsLayersModel } from './tfjs-export.js';

/** Writes `model` (architecture + float64 weights) to `path`. */
export async function saveModel(model: Mlp, path: string): Promise<void> {
  await writeFileAtomic(path, [encodeModel(model)]);
}


/** Writes a process model (network, names, scaling, provenance) to `path` as JSON, atomically. */
export async function saveProcessModel(model: ProcessModel, path: string): Promise<void> {
  await writeFileAtomic(path, [encodeProcessModel(model)]);
}

/** Reads a process model written by `saveProcessModel`; errors name the file. */
export async function loadProcessModel(path: string): Promise<ProcessModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RangeError(`Cannot read process model '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeProcessModel(text, path);
}

/** Reads a model written by `saveModel`; a file that is not one names the file in the error. */
export async function loadModel(path: string): Promise<Mlp> {
  const bytes = await readFile(path);
  try {
    return decodeModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof CrucibleError) throw new CrucibleError(e.code, `${e.message} (file ${path})`, { ...e.details, file: path });
    throw e;
  }
}

/** Writes `model.json` and the float32 weights file into `dir` (created if missing), for `tf.loadLayersModel`. */
export async function exportTfjsModel(model: Mlp, dir: string, options: TfjsExportOptions = {}): Promise<void> {
  const { modelJson, weightData } = toTfjsLayersModel(model, options);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, modelJson.weightsManifest[0].paths[0]), new Uint8Array(weightData));
}
