/**
 * The privacy ledger of a run: every release that spends privacy (a DP round at the coordinator, a
 * DP-SGD training run at a plant) appended as an entry, so the budget spent can be recomputed from
 * the ledger alone — after a restart, or by an auditor. Durable through the store's privacy-ledger
 * table (`storePrivacyLedger`); `MemoryPrivacyLedger` for simulation and tests.
 *
 * @example
 * const ledger = storePrivacyLedger(CrucibleStore.open('run.db'), 'run-1');
 * ledger.append({ round: 3, level: 'client', noiseMultiplier: 1.2, samplingRate: 1, steps: 1 });
 * accountantFromLedger(ledger.entries()).epsilon(1e-5)
 */
import { type PrivacyEvent, RdpAccountant, type RdpAccountantOptions } from './accountant.js';

/** One privacy-spending release. */
export type PrivacyLedgerEntry = PrivacyEvent & {
  readonly round: number;
  /** 'client': protects a plant's whole contribution; 'sample': protects one record of a plant. */
  readonly level: 'client' | 'sample';
  /** For sample-level entries: the plant whose records are protected. */
  readonly plant?: string;
  /** Free-form description (e.g. 'dp-fedavg', 'distributed-dp', 'dp-sgd'). */
  readonly label?: string;
};

export interface PrivacyLedger {
  append(entry: PrivacyLedgerEntry): void;
  entries(): readonly PrivacyLedgerEntry[];
}

/** A ledger held in memory. */
export class MemoryPrivacyLedger implements PrivacyLedger {
  private readonly list: PrivacyLedgerEntry[] = [];
  append(entry: PrivacyLedgerEntry): void {
    this.list.push({ ...entry });
  }
  entries(): readonly PrivacyLedgerEntry[] {
    return this.list;
  }
}

/** What the ledger needs from the store (`CrucibleStore` has it). */
export interface PrivacyLedgerStore {
  appendPrivacyEntry(runId: string, entry: { round: number; [field: string]: unknown }): number;
  privacyLedger(runId: string): readonly { entry: { round: number; [field: string]: unknown } }[];
}

/** A ledger persisted in the store's privacy-ledger table under `runId`. */
export function storePrivacyLedger(store: PrivacyLedgerStore, runId: string): PrivacyLedger {
  return {
    append: (entry) => void store.appendPrivacyEntry(runId, { ...entry }),
    entries: () => store.privacyLedger(runId).map((row) => row.entry as unknown as PrivacyLedgerEntry),
  };
}

/**
 * An accountant over the entries of one protection level (and, for sample level, one plant):
 * client-level and sample-level guarantees protect different things and are never added together.
 */
export function accountantFromLedger(
  entries: readonly PrivacyLedgerEntry[],
  options: RdpAccountantOptions & { level?: 'client' | 'sample'; plant?: string } = {},
): RdpAccountant {
  const accountant = new RdpAccountant(options);
  const level = options.level ?? 'client';
  for (const e of entries) {
    if (e.level === level && (options.plant === undefined || e.plant === options.plant)) accountant.compose(e);
  }
  return accountant;
}
