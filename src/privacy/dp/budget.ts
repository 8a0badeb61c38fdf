/**
 * The budget guard: before a round spends privacy, it checks that the ε after that round would stay
 * within the configured budget; if not, training stops cleanly with BUDGET_EXHAUSTED — the round is
 * not run, the last checkpoint (the previous round's model) stands, and the error reports what was
 * spent. After the round runs, `commit` writes the event to the ledger.
 *
 * @example
 * const guard = new BudgetGuard({ epsilon: 3, delta: 1e-5 }, ledger);
 * guard.admit(round, event);   // throws BUDGET_EXHAUSTED before an over-budget round
 * // … run the round …
 * guard.commit(round, event);
 */
import { CrucibleError } from '../../errors.js';
import type { PrivacyEvent, RdpAccountantOptions } from './accountant.js';
import { type PrivacyLedger, type PrivacyLedgerEntry, accountantFromLedger } from './ledger.js';

export interface PrivacyBudget {
  /** Largest total ε allowed. */
  readonly epsilon: number;
  /** The δ at which ε is measured (typically < 1/number of protected units). */
  readonly delta: number;
}

export class BudgetGuard {
  readonly budget: PrivacyBudget;
  private readonly ledger: PrivacyLedger;
  private readonly scope: RdpAccountantOptions & { level: 'client' | 'sample'; plant?: string };

  constructor(budget: PrivacyBudget, ledger: PrivacyLedger, scope: RdpAccountantOptions & { level?: 'client' | 'sample'; plant?: string } = {}) {
    if (!(budget.epsilon > 0) || !(budget.delta > 0 && budget.delta < 1)) {
      throw new RangeError(`BudgetGuard: need epsilon > 0 and delta in (0, 1), got ε=${budget.epsilon}, δ=${budget.delta}`);
    }
    this.budget = budget;
    this.ledger = ledger;
    this.scope = { ...scope, level: scope.level ?? 'client' };
  }

  /** ε spent so far according to the ledger. */
  spent(): number {
    return accountantFromLedger(this.ledger.entries(), this.scope).epsilon(this.budget.delta);
  }

  /** ε after the ledger plus `event`. */
  projected(event: PrivacyEvent): number {
    return accountantFromLedger(this.ledger.entries(), this.scope).epsilonAfter(event, this.budget.delta);
  }

  /** Throws BUDGET_EXHAUSTED if running `event` in `round` would exceed the budget. */
  admit(round: number, event: PrivacyEvent): void {
    const after = this.projected(event);
    if (after > this.budget.epsilon) {
      const spent = this.spent();
      throw new CrucibleError(
        'BUDGET_EXHAUSTED',
        `round ${round} not run: privacy budget ε=${this.budget.epsilon} at δ=${this.budget.delta} would be exceeded (spent ${spent.toFixed(4)}, after this round ${after.toFixed(4)})`,
        { round, spentEpsilon: spent, projectedEpsilon: after, budgetEpsilon: this.budget.epsilon, delta: this.budget.delta },
      );
    }
  }

  /** Records that `round` ran `event`. */
  commit(round: number, event: PrivacyEvent, extra: { label?: string; plant?: string } = {}): void {
    this.ledger.append({ ...event, round, level: this.scope.level, plant: this.scope.plant, ...extra });
  }
}
