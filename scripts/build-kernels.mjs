#!/usr/bin/env node
// Compiles the WebAssembly kernels (asm/*.ts, AssemblyScript) at install time (`prepare`), so no binary
// is ever committed. Two builds of the same source: build/kernels.wasm over a private memory (the main
// thread's; copies into it are plain memcpy) and build/kernels-shared.wasm over a shared memory that
// the GEMM helper thread maps too (see src/tensor/kernels/wasm.ts). Without AssemblyScript (e.g. a
// production install that skips devDependencies) it only warns: the core then runs on its TypeScript
// kernels.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch {
  console.warn('build-kernels: assemblyscript is not installed; Crucible will use its TypeScript kernels.');
  process.exit(0);
}
mkdirSync(join(root, 'build'), { recursive: true });
const builds = [
  { file: 'kernels.wasm', flags: ['--enable', 'simd'] },
  { file: 'kernels-shared.wasm', flags: ['--sharedMemory', '--enable', 'simd,threads'] },
];
for (const { file, flags } of builds) {
  const out = join(root, 'build', file);
  const { error, stderr } = await asc.main(
    [
      join(root, 'asm', 'kernels.ts'),
      '--outFile', out,
      '-O3', '--noAssert',
      '--runtime', 'stub',
      '--importMemory', '--initialMemory', '2', '--maximumMemory', '32768',
      ...flags,
    ],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) {
    console.error(`build-kernels: AssemblyScript failed on ${file}: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
  console.log(`build-kernels: wrote ${out}`);
}
