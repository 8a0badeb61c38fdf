import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrucibleStore } from '../store/store.js';
import { storePrivacyLedger } from '../privacy/dp/ledger.js';
import { auditCommand } from './audit.js';

async function runAudit(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // Only the command's text: the test runner's own (binary) messages pass through meanwhile.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    chunks.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const command = auditCommand();
    command.exitOverride();
    await command.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

test('crucible audit prints the attack table and the ε a run spent according to its ledger', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-audit-'));
  const path = join(dir, 'crucible.db');
  const store = CrucibleStore.open(path);
  const ledger = storePrivacyLedger(store, 'line-7');
  for (let round = 1; round <= 5; round++) ledger.append({ round, level: 'client', noiseMultiplier: 1, samplingRate: 1, steps: 1 });
  store.close();
  const out = await runAudit(['--epsilons', '4', '--curve-epsilons', '8,2', '--rounds', '5', '--store', path, '--run', 'line-7', '--json']);
  const report = JSON.parse(out) as {
    inversion: { succeeded: boolean }[];
    membership: unknown[];
    accuracy: { rows: { setting: string; epsilon: number | null; heldOutRmse: number; parameterGapToPlain: number }[] };
    ledger: { entries: number; clientEpsilon: number };
  };
  assert.equal(report.inversion.length, 3);
  assert.equal(report.inversion[0].succeeded, true);
  assert.equal(report.ledger.entries, 5);
  assert.ok(report.ledger.clientEpsilon > 1 && Number.isFinite(report.ledger.clientEpsilon));
  assert.deepEqual(report.accuracy.rows.map((r) => [r.setting, r.epsilon === null ? null : Math.round(r.epsilon)]), [['plain FedAvg', null], ['SecAgg+', null], ['DP-FedAvg + SecAgg+', 8], ['DP-FedAvg + SecAgg+', 2]]);
});
