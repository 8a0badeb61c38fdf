/**
 * Helpers of the `optimize` commands: number formatting, text tables, seed lists, reading YAML/JSON
 * files and a simulated plant from a `crucible simulate` manifest (errors name the file and key).
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import YAML from 'yaml';
import { readManifest } from '../data/manifest.js';
import type { ProcessName } from '../process/dataset.js';

/** A number with at most six significant digits. */
export const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v));

/** A YAML or JSON file, parsed; errors name the file. */
export async function readDataFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RangeError(`Cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return YAML.parse(text);
  } catch (e) {
    throw new SyntaxError(`${path}: not valid YAML/JSON (${(e as Error).message})`);
  }
}

/** A simulated plant's process and configuration from a `crucible simulate` manifest. */
export async function simulatedPlant(manifestPath: string, plantId: string | undefined): Promise<{ process: ProcessName; plantId: string; config: unknown }> {
  const manifest = await readManifest(manifestPath);
  const ids = manifest.plants.map((p) => p.id);
  if (plantId === undefined) throw new RangeError(`--truth ${manifestPath} needs --plant <id> (plants: ${ids.join(', ')})`);
  const entry = manifest.plants.find((p) => p.id === plantId);
  if (entry === undefined) throw new RangeError(`${manifestPath}: no plant '${plantId}' (plants: ${ids.join(', ')})`);
  if (!['williams-otto', 'cstr', 'eaf'].includes(manifest.process)) throw new RangeError(`${manifestPath}: process '${manifest.process}' has no simulator (williams-otto, cstr, eaf)`);
  if (entry.parameters === undefined) throw new RangeError(`${manifestPath}: plant '${plantId}' carries no simulator parameters`);
  return { process: manifest.process as ProcessName, plantId, config: entry.parameters };
}

/** A table of text cells with a header rule. */
export function table(head: string[], body: string[][]): string {
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** "1,2,5-7" → [1, 2, 5, 6, 7]. */
export function seedList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (m === null) throw new InvalidArgumentError(`expected seeds like '1,2,5-7', got '${text}'`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 1000) throw new InvalidArgumentError(`seed range '${part}' is empty or too long`);
    for (let s = lo; s <= hi; s++) out.push(s);
  }
  return out;
}

