/**
 * Benchmark dispatcher: `npm run bench -- <name>…` loads bench/<name>.ts and calls its exported
 * `run()`; with no name it runs every benchmark present (core, federation, privacy, in that order).
 * Benchmarks print tables; they are not tests and assert nothing about speed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const KNOWN = ['core', 'federation', 'privacy'];
const here = (name: string): string => fileURLToPath(new URL(`./${name}.ts`, import.meta.url));

const asked = process.argv.slice(2).filter((a) => a !== '--');
const present = KNOWN.filter((name) => existsSync(here(name)));
for (const name of asked) {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || name === 'main' || !existsSync(here(name))) {
    console.error(`bench: no benchmark '${name}' (bench/${name}.ts); available: ${present.join(', ') || 'none'}`);
    process.exit(2);
  }
}
for (const name of asked.length > 0 ? asked : present) {
  const module = (await import(new URL(`./${name}.ts`, import.meta.url).href)) as { run?: () => unknown };
  if (typeof module.run !== 'function') {
    console.error(`bench: bench/${name}.ts does not export a run() function`);
    process.exit(2);
  }
  console.log(`\n=== bench ${name} ===`);
  await module.run();
}
