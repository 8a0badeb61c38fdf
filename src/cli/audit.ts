/**
 * `crucible audit`: runs the privacy attacks (gradient inversion of a plant update, membership
 * inference on the released model) against plain FedAvg, SecAgg and DP at several ε, then what the
 * defences cost in accuracy on a simulated 3-plant federation (SecAgg against plain FedAvg, and the
 * accuracy/ε curve of DP-FedAvg), and prints the report; with `--store`, also the ε a run has spent
 * according to its durable privacy ledger. Wiring only: the work is `runPrivacyAudit` and
 * `federatedAccuracy` in privacy/audit/ and the accountant in privacy/dp/.
 *
 * @example
 * program.addCommand(auditCommand());
 * // crucible audit --epsilons 8,2,0.5 --seed 3
 * // crucible audit --store crucible.db --run line-7 --delta 1e-5
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CrucibleError } from '../errors.js';
import { formatAuditReport, runPrivacyAudit } from '../privacy/audit/audit.js';
import { federatedAccuracy, formatAccuracyReport } from '../privacy/audit/federatedAccuracy.js';
import { accountantFromLedger, storePrivacyLedger } from '../privacy/dp/ledger.js';
import { CrucibleStore } from '../store/store.js';

interface AuditFlags {
  seed: number;
  epsilons: number[];
  curveEpsilons: number[];
  rounds: number;
  delta: number;
  plants: number;
  out?: string;
  store?: string;
  run?: string;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

function epsilonList(value: string): number[] {
  return value.split(',').map((v) => positiveNumber(v.trim()));
}

/** The `audit` command. */
export function auditCommand(): Command {
  return new Command('audit')
    .description('attack plant updates and the released model: plain FedAvg vs SecAgg vs DP at several ε')
    .option('--seed <n>', 'seed of data, models and noise', (v) => Number.parseInt(v, 10), 1)
    .option('--epsilons <list>', 'ε values of the DP rows, comma-separated', epsilonList, [8, 2, 0.5])
    .option('--curve-epsilons <list>', 'ε values (whole run) of the accuracy/ε curve, comma-separated', epsilonList, [32, 16, 8, 4, 2, 1])
    .option('--rounds <n>', 'federated rounds of the accuracy comparison', (v) => Number.parseInt(v, 10), 20)
    .option('--delta <δ>', 'δ of every DP row and of the ledger report', positiveNumber, 1e-5)
    .option('--plants <n>', 'plants summed by SecAgg in the inversion scenario', (v) => Number.parseInt(v, 10), 5)
    .option('--out <file>', 'also write the report (Markdown) to this file')
    .option('--store <file>', "report the ε spent by a run from this coordinator store's privacy ledger")
    .option('--run <id>', 'run id in --store')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  crucible audit\n  crucible audit --epsilons 4,1 --curve-epsilons 16,4,1 --seed 7 --out audit.md\n  crucible audit --store crucible.db --run line-7')
    .action(async (flags: AuditFlags) => {
      let spent: { runId: string; clientEpsilon: number; delta: number; entries: number } | undefined;
      if (flags.store !== undefined) {
        if (!existsSync(flags.store)) throw new CrucibleError('CONFIG_INVALID', `no store at ${flags.store} (pass --store <file>)`);
        if (flags.run === undefined) throw new CrucibleError('CONFIG_INVALID', '--store needs --run <id>: whose ledger to read');
        const store = CrucibleStore.open(flags.store);
        try {
          const entries = storePrivacyLedger(store, flags.run).entries();
          spent = { runId: flags.run, clientEpsilon: accountantFromLedger(entries).epsilon(flags.delta), delta: flags.delta, entries: entries.length };
        } finally {
          store.close();
        }
      }
      const report = runPrivacyAudit({ seed: flags.seed, epsilons: flags.epsilons, delta: flags.delta, secAggPlants: flags.plants });
      const accuracy = await federatedAccuracy({ seed: flags.seed, epsilons: flags.curveEpsilons, delta: flags.delta, rounds: flags.rounds });
      const text = `${formatAuditReport(report)}\n\n${formatAccuracyReport(accuracy)}`;
      if (flags.out !== undefined) writeFileSync(flags.out, `${text}\n`);
      if (flags.json) {
        // ε = ∞ (no DP) is written as null: JSON has no Infinity.
        const rows = accuracy.rows.map((r) => ({ ...r, epsilon: Number.isFinite(r.epsilon) ? r.epsilon : null }));
        process.stdout.write(`${JSON.stringify({ ...report, accuracy: { ...accuracy, rows }, ledger: spent }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${text}\n`);
      if (spent !== undefined) {
        process.stdout.write(`\nrun '${spent.runId}': ${spent.entries} privacy-ledger entries, client-level ε = ${spent.clientEpsilon.toFixed(4)} at δ = ${spent.delta}\n`);
      }
    });
}
