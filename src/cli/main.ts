#!/usr/bin/env node
/**
 * The `crucible` command: one commander program with one sub-command per file in this folder. Global
 * `--quiet` and `--json` (before the command) are handed to every command that has them; every
 * failure ends through `reportFailure` with the exit status documented in docs/cli.md.
 *
 * @example
 * // crucible demo
 * // crucible --json status --store out/demo/federation/crucible.db
 */
import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.js';
import { coordinatorCommand } from './coordinator.js';
import { dashboardCommand } from './dashboard.js';
import { demoCommand } from './demo.js';
import { enrollCommand } from './enroll.js';
import { flowsheetCommand } from './flowsheet.js';
import { optimizeCommand } from './optimize.js';
import { plantCommand } from './plant.js';
import { reportCommand } from './report.js';
import { exitCodes, reportFailure } from './run.js';
import { simulateCommand } from './simulate.js';
import { statusCommand } from './status.js';

const version = '0.1.0';

/** The program with every command registered. */
export function crucibleProgram(): Command {
  const program = new Command('crucible')
    .description('Federated learning of process models across industrial plants: no raw data leaves a plant.')
    .version(version, '-V, --version')
    .option('--quiet', 'print only errors (passed to every command that supports it)')
    .option('--json', 'machine-readable output, one JSON object per line where the command streams (passed on likewise)')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  crucible demo                                  # the three-plant demo: simulate, federate over gRPC, compare, optimize, report
  crucible demo --scenario debutanizer           # the same on the real debutanizer column data
  crucible simulate --process cstr --plants 3 --seed 7 --out plants/
  crucible enroll plant-a --out creds/plant-a    # issue a plant's certificate and token
  crucible coordinator --config federation.yaml  # serve a federation
  crucible plant --config plant.yaml             # join it as a plant
  crucible status --store crucible.db            # how far a run has got
  crucible report --store crucible.db            # an HTML report of the run (any model kind)
  crucible dashboard --store crucible.db         # the same in a browser, http://127.0.0.1:8080/

Exit codes: 0 ok, 1 unexpected failure, 64 usage error, and per error code (docs/cli.md).`,
    );
  const commands = [demoCommand(), simulateCommand(), enrollCommand(), coordinatorCommand(), plantCommand(), statusCommand(), reportCommand(), auditCommand(), optimizeCommand(), flowsheetCommand(), dashboardCommand()];
  for (const c of commands) {
    c.exitOverride();
    program.addCommand(c);
  }
  program.exitOverride();
  // Global --quiet/--json reach the command being run, if it knows them.
  program.hook('preAction', (_root, action) => {
    const global = program.opts<{ quiet?: boolean; json?: boolean }>();
    for (const name of ['quiet', 'json'] as const) {
      if (global[name] && action.options.some((o) => o.attributeName() === name)) action.setOptionValue(name, true);
    }
  });
  return program;
}

/** Runs the CLI on `argv` (process.argv form) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await crucibleProgram().parseAsync([...argv]);
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error (already printed).
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? exitCodes.ok : exitCodes.usage;
    }
    return reportFailure(e);
  }
}

// Exit explicitly: a finished command must not linger on an idle handle (stdout/stderr pipes are synchronous on Linux).
process.exit(await main(process.argv));
