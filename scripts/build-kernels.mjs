#!/usr/bin/env node
// Compiles the WebAssembly kernels (asm/*.ts, AssemblyScript) to build/kernels.wasm. Runs at install
// time (`prepare`), so no binary is ever committed. Without AssemblyScript (e.g. a production install
// that skips devDependencies) it only warns: the core then runs on its TypeScript kernels.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'kernels.wasm');

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch {
  console.warn('build-kernels: assemblyscript is not installed; Crucible will use its TypeScript kernels.');
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const { error, stderr } = await asc.main(
  [
    join(root, 'asm', 'kernels.ts'),
    '--outFile', out,
    '-O3', '--noAssert',
    '--runtime', 'stub',
    // One shared memory imported by the main thread and the GEMM worker (see src/tensor/kernels/wasm.ts).
    '--importMemory', '--sharedMemory', '--initialMemory', '2', '--maximumMemory', '32768',
    '--enable', 'simd,threads',
  ],
  { stdout: process.stdout, stderr: process.stderr },
);
if (error) {
  console.error(`build-kernels: AssemblyScript failed: ${error.message}\n${stderr.toString()}`);
  process.exit(1);
}
console.log(`build-kernels: wrote ${out}`);
