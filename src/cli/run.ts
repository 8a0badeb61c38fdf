/**
 * How every command ends: a domain failure prints its code and message and exits with the code's
 * exit status from `errors.ts`; a misuse (RangeError/TypeError/SyntaxError, e.g. a bad config value)
 * prints its message and exits 64. Stack traces only with CRUCIBLE_DEBUG=1.
 */
import { CrucibleError } from '../errors.js';

/** Exit statuses of the CLI besides the per-code ones in `errors.ts`. */
export const exitCodes = { ok: 0, failure: 1, usage: 64 } as const;

export function reportFailure(e: unknown): number {
  const debug = process.env.CRUCIBLE_DEBUG === '1';
  if (e instanceof CrucibleError) {
    process.stderr.write(`crucible: ${e.code}: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  if (e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) {
    process.stderr.write(`crucible: ${e.message}\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    return exitCodes.usage;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`crucible: unexpected failure: ${err.message}\n${debug ? `${err.stack}\n` : '(set CRUCIBLE_DEBUG=1 for the stack trace)\n'}`);
  return exitCodes.failure;
}
