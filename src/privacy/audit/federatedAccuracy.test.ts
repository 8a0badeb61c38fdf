import { test } from 'node:test';
import assert from 'node:assert/strict';
import { federatedAccuracy, formatAccuracyReport } from './federatedAccuracy.js';

test('on the simulated 3-plant federation SecAgg+ ends where plain FedAvg ends, and DP costs accuracy as ε shrinks', async () => {
  const report = await federatedAccuracy({ epsilons: [32, 8, 2], rounds: 8 });
  const [plain, secure, ...dp] = report.rows;
  assert.equal(plain.setting, 'plain FedAvg');
  // Quantization error only: the secure model is plain FedAvg's to far below its own accuracy.
  assert.ok(secure.parameterGapToPlain < 1e-6, `SecAgg+ parameters differ by ${secure.parameterGapToPlain}`);
  assert.ok(Math.abs(secure.heldOutRmse - plain.heldOutRmse) < 1e-6);
  assert.deepEqual(dp.map((r) => Math.round(r.epsilon)), [32, 8, 2]);
  for (let i = 1; i < dp.length; i++) assert.ok(dp[i].heldOutRmse > dp[i - 1].heldOutRmse, `RMSE at ε=${dp[i].epsilon} is not above ε=${dp[i - 1].epsilon}`);
  assert.ok(dp[0].heldOutRmse > plain.heldOutRmse);
  assert.match(formatAccuracyReport(report), /\| SecAgg\+ \| ∞ \| – \|/);
});
