import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAuditReport, runPrivacyAudit } from './audit.js';
import { areaUnderCurve, membershipAdvantage } from './membershipInference.js';

test('the audit shows both attacks succeeding on plain FedAvg, inversion defeated by SecAgg and DP, membership inference defeated by DP only', () => {
  const report = runPrivacyAudit({ seed: 1 });
  const [plain, secagg, ...dp] = report.inversion;
  assert.ok(plain.reconstructionError < 1e-9, `plain inversion error ${plain.reconstructionError}`);
  assert.ok(plain.targetError! < 1e-9, `plain target error ${plain.targetError}`);
  assert.ok(secagg.reconstructionError > 0.3, `SecAgg inversion error ${secagg.reconstructionError}`);
  assert.equal(dp.length, 3);
  for (const row of dp) assert.ok(row.reconstructionError > 0.3, `${row.defence} at ε=${row.epsilon}: error ${row.reconstructionError}`);

  const [gPlain, gSecAgg, ...gDp] = report.matching;
  assert.ok(gPlain.succeeded && gPlain.reconstructionError < 1e-4, `DLG on a plain two-record update: error ${gPlain.reconstructionError}`);
  for (const row of [gSecAgg, ...gDp]) assert.ok(!row.succeeded && row.reconstructionError > 0.1, `DLG under ${row.defence}: error ${row.reconstructionError}`);
  assert.equal(gDp.length, 3);

  const [mPlain, mSecAgg, ...mDp] = report.membership;
  assert.ok(mPlain.auc > 0.9, `plain membership AUC ${mPlain.auc}`);
  assert.equal(mSecAgg.auc, mPlain.auc, 'SecAgg does not change the released model');
  for (const row of mDp) {
    assert.ok(row.auc < 0.7, `${row.defence} at ε=${row.epsilon}: AUC ${row.auc}`);
    assert.ok(row.epsilon! <= 8.0001);
  }
  assert.match(formatAuditReport(report), /plain FedAvg \| ∞ \| .* \| YES/);
});

test('AUC and advantage of the loss-threshold attack on known scores', () => {
  assert.equal(areaUnderCurve([3, 4], [1, 2]), 1);
  assert.equal(areaUnderCurve([1, 2], [3, 4]), 0);
  assert.equal(areaUnderCurve([1, 2], [1, 2]), 0.5);
  assert.equal(areaUnderCurve([2, 3], [1, 2]), 0.875);
  assert.equal(membershipAdvantage([3, 4], [1, 2]), 1);
  assert.equal(membershipAdvantage([1, 2], [1, 2]), 0);
});
