/**
 * `crucible status`: the run's progress from the coordinator's store — rounds done, plants seen
 * recently (connected), last round's metrics. Reads the SQLite file (safe while the coordinator runs).
 * Wiring only: the work is `readStatus` in store/.
 *
 * @example
 * program.addCommand(statusCommand());
 * // crucible status --store crucible.db
 */
import { Command } from 'commander';
import { CrucibleError } from '../errors.js';
import type { ClassificationEvaluation } from '../federation/evaluation.js';
import { readStatus } from '../store/status.js';
import { CrucibleStore } from '../store/store.js';
import { existsSync } from 'node:fs';

interface StatusFlags {
  store: string;
  run?: string;
  json?: boolean;
}

/** The `status` command. */
export function statusCommand(): Command {
  return new Command('status')
    .description('show a federation run: rounds done, plants connected, last metrics')
    .option('--store <file>', "the coordinator's store", 'crucible.db')
    .option('--run <id>', 'run id (default: the newest run)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  crucible status\n  crucible status --store /var/lib/crucible/crucible.db --run line-7 --json\n\n' +
        'Exit codes: 0 shown; 78 CONFIG_INVALID (no such store or run); 64 usage error; the full table is in docs/cli.md.',
    )
    .action((flags: StatusFlags) => {
      if (!existsSync(flags.store)) throw new CrucibleError('CONFIG_INVALID', `no store at ${flags.store} (pass --store <file>)`);
      const store = CrucibleStore.open(flags.store);
      try {
        const s = readStatus(store, { runId: flags.run });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        if (s.run === undefined) {
          process.stdout.write(`no runs in ${flags.store}\n`);
        } else {
          const total = (s.run.config as { rounds?: number } | null)?.rounds;
          process.stdout.write(`run '${s.run.id}' (${s.run.status}): ${s.roundsDone}${total === undefined ? '' : `/${total}`} rounds done\n`);
          if (s.lastRound !== undefined) {
            const sum = s.lastRound.summary as { evaluation?: { rmse?: number; r2?: number } | null; fit?: { trainLoss?: number }; classification?: ClassificationEvaluation };
            const c = sum.classification?.pooled;
            const metrics = c === undefined
              ? `rmse ${sum.evaluation?.rmse ?? '-'}, r2 ${sum.evaluation?.r2 ?? '-'}`
              : `accuracy ${c.accuracy}, macro-F1 ${c.macroF1}, recall ${c.perClass.map((m) => m.recall).join('/')}, AUC ${c.auc.join('/')}`;
            process.stdout.write(`last round ${s.lastRound.round} at ${s.lastRound.completedAt}: ${s.lastRound.participants.join(', ')}; trainLoss ${sum.fit?.trainLoss ?? '-'}, ${metrics}\n`);
          }
        }
        for (const p of s.plants) {
          process.stdout.write(`  ${p.id}: ${p.revoked ? 'revoked' : p.connected ? 'connected' : 'not connected'}${p.lastSeenAt === null ? '' : ` (last seen ${p.lastSeenAt})`}\n`);
        }
      } finally {
        store.close();
      }
    });
}
