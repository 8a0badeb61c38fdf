import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/rng.js';
import { Adwin, PageHinkley } from './detectors.js';
import { kolmogorovSurvival, ksTwoSample } from './ks-test.js';

/** |N(0, 1)| residuals, with the mean of the underlying error shifted by `shift` from sample `at` on. */
function stream(rng: Rng, n: number, at: number, shift: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.abs(rng.normal(i >= at ? shift : 0, 1)));
}

/** Samples until the first alarm at or after `from` (−1 if none), and whether any alarm came before. */
function firstAlarm(update: (v: number) => { drift: boolean }, values: number[], from: number): { delay: number; early: boolean } {
  let early = false;
  for (let i = 0; i < values.length; i++) {
    if (update(values[i]).drift) {
      if (i < from) early = true;
      else return { delay: i - from, early };
    }
  }
  return { delay: -1, early };
}

describe('residual drift detectors', () => {
  const detectors = {
    'Page–Hinkley': () => new PageHinkley({ delta: 0.1, lambda: 25 }),
    ADWIN: () => new Adwin({ delta: 0.002 }),
  };
  for (const [name, make] of Object.entries(detectors)) {
    it(`${name} fires soon after the residuals grow and rarely on a stationary stream`, () => {
      const runs = 40;
      const delays: number[] = [];
      let falseAlarmStreams = 0;
      let missed = 0;
      for (let r = 0; r < runs; r++) {
        const shifted = stream(new Rng(100 + r), 800, 400, 1.5);
        const d = make();
        const { delay, early } = firstAlarm((v) => d.update(v), shifted, 400);
        if (delay < 0) missed++;
        else delays.push(delay);
        const quiet = make();
        const stationary = stream(new Rng(900 + r), 1000, Infinity, 0);
        if (early || stationary.some((v) => quiet.update(v).drift)) falseAlarmStreams++;
      }
      delays.sort((a, b) => a - b);
      const median = delays[Math.floor(delays.length / 2)];
      console.log(`  ${name}: detection delay median ${median}, max ${delays.at(-1)} samples (shift 0→1.5σ in the error mean); missed ${missed}/${runs}; false-alarm rate ${falseAlarmStreams}/${runs} streams of 1000–1400 stationary samples`);
      assert.equal(missed, 0);
      assert.ok(median < 60, `median delay ${median}`);
      assert.ok(delays.at(-1)! < 150, `max delay ${delays.at(-1)}`);
      assert.ok(falseAlarmStreams / runs <= 0.1, `false alarms in ${falseAlarmStreams} of ${runs} streams`);
    });
  }

  it('ADWIN shrinks its window to the data after the change', () => {
    const d = new Adwin();
    const values = stream(new Rng(1), 1000, 500, 2);
    values.forEach((v) => d.update(v));
    // The window keeps (about) the 500 samples since the change, no more.
    assert.ok(d.width <= 530 && d.width >= 420, `width ${d.width}`);
  });
});

describe('two-sample Kolmogorov–Smirnov test', () => {
  it('matches known values of the statistic and the Kolmogorov distribution', () => {
    // Q_KS(1.36) ≈ 0.049 and Q_KS(1.63) ≈ 0.010: the classic 5 % and 1 % critical values.
    assert.ok(Math.abs(kolmogorovSurvival(1.36) - 0.0494) < 5e-4);
    assert.ok(Math.abs(kolmogorovSurvival(1.63) - 0.0098) < 5e-4);
    assert.equal(ksTwoSample([1, 2, 3], [4, 5, 6]).statistic, 1);
    assert.equal(ksTwoSample([1, 2, 2, 3], [1, 2, 2, 3]).statistic, 0);
  });

  it('has roughly uniform p-values under the null and rejects a shifted window', () => {
    const rng = new Rng(7);
    let rejections = 0;
    for (let r = 0; r < 200; r++) {
      const a = Array.from({ length: 300 }, () => rng.normal());
      const b = Array.from({ length: 200 }, () => rng.normal());
      if (ksTwoSample(a, b).pValue < 0.05) rejections++;
    }
    console.log(`  KS: ${rejections}/200 rejections at α = 0.05 under the null`);
    assert.ok(rejections >= 3 && rejections <= 20, `${rejections} rejections`);
    const shifted = ksTwoSample(Array.from({ length: 300 }, () => rng.normal()), Array.from({ length: 200 }, () => rng.normal(0.5, 1)));
    assert.ok(shifted.pValue < 1e-4, `p = ${shifted.pValue}`);
  });
});
