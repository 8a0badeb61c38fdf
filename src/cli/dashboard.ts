/**
 * `crucible dashboard --store crucible.db`: a web page on 127.0.0.1 that follows a federation run
 * (rounds, plants, global MSE per round) from the coordinator's store. Wiring only: the work is
 * `startDashboard` in dashboard/.
 *
 * @example
 * program.addCommand(dashboardCommand());
 * // crucible dashboard --store out/cstr-7/federation/crucible.db --port 8080
 */
import { Command } from 'commander';
import { startDashboard } from '../dashboard/server.js';
import { integer } from './arguments.js';

interface DashboardFlags {
  store: string;
  run?: string;
  port: number;
  json?: boolean;
  quiet?: boolean;
}

/** The `dashboard` command. */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description("serve a web page on 127.0.0.1 that follows a federation run from the coordinator's store")
    .option('--store <file>', "the coordinator's store", 'crucible.db')
    .option('--run <id>', 'run id (default: the newest run)')
    .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', integer(0), 8080)
    .option('--json', 'print the address as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', '\nExamples:\n  crucible dashboard --store crucible.db            # then open http://127.0.0.1:8080/\n  crucible dashboard --store out/cstr-7/federation/crucible.db --port 0')
    .action(async (flags: DashboardFlags) => {
      const dashboard = await startDashboard({ storePath: flags.store, runId: flags.run, port: flags.port });
      if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'listening', url: dashboard.url, port: dashboard.port })}\n`);
      else if (!flags.quiet) process.stdout.write(`dashboard on ${dashboard.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
    });
}
