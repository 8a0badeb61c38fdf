/**
 * `crucible report --store crucible.db [--run id] [--out report.html]`: writes a self-contained
 * HTML report of a federation run from the coordinator's store — set-up, training, evaluation
 * (regression metrics, or a classifier's precision/recall/F1, AUC and confusion matrices, pooled
 * and per plant), plants and the privacy ledger. Wiring only: the work is `runReport` in report/.
 *
 * @example
 * program.addCommand(reportCommand());
 * // crucible report --store crucible.db --out out/line-7.html
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { CrucibleError } from '../errors.js';
import { writeReport } from '../report/html.js';
import { runReport } from '../report/run-report.js';
import { CrucibleStore } from '../store/store.js';

interface ReportFlags {
  store: string;
  run?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The `report` command. */
export function reportCommand(): Command {
  return new Command('report')
    .description("write an HTML report of a federation run from the coordinator's store (works for every model kind)")
    .option('--store <file>', "the coordinator's store", 'crucible.db')
    .option('--run <id>', 'run id (default: the newest run)')
    .option('--out <file.html>', 'where to write it (default: <run id>-report.html next to the store)')
    .option('--json', 'print { path } as JSON')
    .option('--quiet', 'print only errors')
    .addHelpText('after', '\nExamples:\n  crucible report --store crucible.db\n  crucible report --store /var/lib/crucible/crucible.db --run line-7 --out line-7.html')
    .action(async (flags: ReportFlags) => {
      if (!existsSync(flags.store)) throw new CrucibleError('CONFIG_INVALID', `no store at ${flags.store} (pass --store <file>)`, { key: '--store' });
      const store = CrucibleStore.open(flags.store);
      let path: string;
      try {
        let report;
        try {
          report = runReport(store, { runId: flags.run });
        } catch (e) {
          throw new CrucibleError('CONFIG_INVALID', `${flags.store}: ${(e as Error).message}`, { key: '--run' });
        }
        const out = resolve(flags.out ?? `${dirname(flags.store)}/${(flags.run ?? store.runs()[0].id)}-report.html`);
        path = await writeReport(dirname(out), report, basename(out));
      } finally {
        store.close();
      }
      if (flags.quiet) return;
      process.stdout.write(flags.json ? `${JSON.stringify({ type: 'report', path })}\n` : `report written to ${path}\n`);
    });
}
