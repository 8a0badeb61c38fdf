/**
 * Privacy accounting for a strategy whose noise is added elsewhere (distributed DP: the plants add
 * it under SecAgg): before each round the budget guard is asked (BUDGET_EXHAUSTED stops the run before
 * an over-budget round); after aggregation the round's event is written to the ledger.
 *
 * @example
 * const strategy = accounted(fedAvg(), guard, distributedDpEvent({ ...dp, dimension, minimumPlants: 8 }), 'distributed-dp');
 */
import type { Strategy } from '../../federation/strategy.js';
import type { PrivacyEvent } from './accountant.js';
import type { BudgetGuard } from './budget.js';

export function accounted(inner: Strategy, guard: BudgetGuard, event: PrivacyEvent, label: string): Strategy {
  return {
    ...inner,
    configureFit: (context) => {
      guard.admit(context.round, event);
      return inner.configureFit(context);
    },
    aggregateFit: (input) => {
      const out = inner.aggregateFit(input);
      guard.commit(input.round, event, { label });
      return { ...out, metrics: { ...out.metrics, dpEpsilon: guard.spent() } };
    },
  };
}
