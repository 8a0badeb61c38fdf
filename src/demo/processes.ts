/**
 * Child processes of the `crucible` CLI, spawned the same way from the build and from source: from
 * `dist/` it is `node dist/cli/main.js`; from `src/` (tests, `tsx`) it is `node --import tsx
 * src/cli/main.ts`. Lines of stdout are delivered one by one (commands print JSON lines with
 * `--json`); stderr is kept for the error message if the process fails.
 *
 * @example
 * const child = spawnCrucible(['status', '--json'], { cwd: dir });
 * const code = await child.exited;
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How to start the CLI: the node executable and the arguments before the command. */
export function crucibleCommand(): { command: string; prefix: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const main = join(dirname(here), '..', 'cli', fromSource ? 'main.ts' : 'main.js');
  if (!existsSync(main)) throw new Error(`demo: the CLI entry ${main} does not exist (run 'npm run build')`);
  // tsx resolved here, not from the child's working directory (which has no node_modules).
  return { command: process.execPath, prefix: fromSource ? ['--import', import.meta.resolve('tsx'), main] : [main] };
}

export interface CrucibleProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number's stand-in 1 when killed by a signal). */
  readonly exited: Promise<number>;
  /** The last lines of stderr (for error messages). */
  stderrTail(): string;
  /** Asks the process to stop (SIGTERM); resolves when it has exited. */
  stop(): Promise<number>;
}

/** Spawns `crucible <args>`; `onLine` gets each stdout line. */
export function spawnCrucible(
  name: string,
  args: readonly string[],
  options: { cwd: string; onLine?: (line: string) => void; env?: NodeJS.ProcessEnv },
): CrucibleProcess {
  const { command, prefix } = crucibleCommand();
  const child = spawn(command, [...prefix, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 50) stderr.splice(0, stderr.length - 50);
  });
  if (child.stdout !== null) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => options.onLine?.(line));
  }
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 15)));
    child.once('error', () => resolve(127));
  });
  return {
    name,
    child,
    exited,
    stderrTail: () => stderr.join('').trim().split('\n').slice(-8).join('\n'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs `crucible <args>` to completion; throws with its stderr when it fails. */
export async function runCrucible(args: readonly string[], options: { cwd: string }): Promise<string> {
  const out: string[] = [];
  const p = spawnCrucible(args[0] ?? 'crucible', args, { cwd: options.cwd, onLine: (l) => out.push(l) });
  const code = await p.exited;
  if (code !== 0) throw new Error(`crucible ${args.join(' ')} exited with ${code}: ${p.stderrTail()}`);
  return out.join('\n');
}
