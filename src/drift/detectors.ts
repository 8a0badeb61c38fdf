/**
 * Streaming change detectors for a model's residuals.
 *
 * - Page–Hinkley (Page, Biometrika 1954; Hinkley 1971): the cumulative deviation of the stream from
 *   its running mean, minus a tolerance δ per sample; alarms when it rises λ above its minimum (an
 *   upward shift of the mean; feed |residual| or squared residuals to catch any loss of accuracy).
 * - ADWIN (Bifet & Gavaldà, "Learning from time-changing data with adaptive windowing", SDM 2007):
 *   keeps a window of recent values and drops its older part whenever two sub-windows have means
 *   that differ by more than ε_cut = √(2/m · σ²_W · ln(2/δ')) + 2/(3m) · ln(2/δ'), with
 *   m = 1/(1/n₀ + 1/n₁) and δ' = δ/ln n (the variance-based bound of the paper, §4). This is the
 *   exact O(window) version, checking every split point; windows are capped at `maxWindow`.
 *
 * @example
 * const ph = new PageHinkley({ delta: 0.005, lambda: 0.5 });
 * for (const r of residuals) if (ph.update(Math.abs(r)).drift) alarm();
 */

export interface DetectorState {
  /** True when this sample triggered an alarm. */
  readonly drift: boolean;
  /** The detector's test statistic relative to its threshold (≥ 1 at an alarm): the drift score. */
  readonly score: number;
}

export interface PageHinkleyOptions {
  /** Tolerated shift δ of the mean per sample (in the stream's units). */
  readonly delta: number;
  /** Alarm threshold λ. */
  readonly lambda: number;
  /** Samples before alarms are allowed. Default 30. */
  readonly minSamples?: number;
}

/** Page–Hinkley test for an increase of the mean. After an alarm it restarts. */
export class PageHinkley {
  private n = 0;
  private mean = 0;
  private cumulative = 0;
  private minimum = 0;

  constructor(private readonly options: PageHinkleyOptions) {
    if (!(options.delta >= 0) || !(options.lambda > 0)) throw new RangeError(`PageHinkley: need delta ≥ 0 and lambda > 0, got ${options.delta}, ${options.lambda}`);
  }

  update(value: number): DetectorState {
    if (!Number.isFinite(value)) throw new RangeError(`PageHinkley.update: value must be finite, got ${value}`);
    this.n++;
    this.mean += (value - this.mean) / this.n;
    this.cumulative += value - this.mean - this.options.delta;
    this.minimum = Math.min(this.minimum, this.cumulative);
    const statistic = this.cumulative - this.minimum;
    const score = statistic / this.options.lambda;
    const drift = this.n >= (this.options.minSamples ?? 30) && statistic > this.options.lambda;
    if (drift) this.reset();
    return { drift, score };
  }

  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.cumulative = 0;
    this.minimum = 0;
  }
}

export interface AdwinOptions {
  /** Confidence δ of the cut test. Default 0.002. */
  readonly delta?: number;
  /** Largest window kept. Default 2000. */
  readonly maxWindow?: number;
  /** Smallest sub-window compared. Default 10. */
  readonly minSubWindow?: number;
}

/** ADWIN: an adaptive window that shrinks when its older and newer parts differ in mean. */
export class Adwin {
  private window: number[] = [];
  private readonly delta: number;
  private readonly maxWindow: number;
  private readonly minSub: number;

  constructor(options: AdwinOptions = {}) {
    this.delta = options.delta ?? 0.002;
    this.maxWindow = options.maxWindow ?? 2000;
    this.minSub = options.minSubWindow ?? 10;
    if (!(this.delta > 0 && this.delta < 1)) throw new RangeError(`Adwin: delta must be in (0, 1), got ${this.delta}`);
  }

  /** Current window length. */
  get width(): number {
    return this.window.length;
  }

  /** Mean of the current window. */
  get mean(): number {
    return this.window.reduce((a, b) => a + b, 0) / Math.max(1, this.window.length);
  }

  update(value: number): DetectorState {
    if (!Number.isFinite(value)) throw new RangeError(`Adwin.update: value must be finite, got ${value}`);
    this.window.push(value);
    if (this.window.length > this.maxWindow) this.window.shift();
    let drift = false;
    let score = 0;
    // Drop the oldest part while some split shows a significant difference (Bifet & Gavaldà 2007).
    for (;;) {
      const cut = this.findCut();
      score = Math.max(score, cut.score);
      if (cut.at < 0) break;
      this.window = this.window.slice(cut.at);
      drift = true;
    }
    return { drift, score };
  }

  private findCut(): { at: number; score: number } {
    const w = this.window;
    const n = w.length;
    if (n < 2 * this.minSub) return { at: -1, score: 0 };
    let total = 0;
    let totalSq = 0;
    for (const v of w) {
      total += v;
      totalSq += v * v;
    }
    const variance = Math.max(0, totalSq / n - (total / n) ** 2);
    const logTerm = Math.log((2 * Math.log(n)) / this.delta);
    let head = 0;
    let best = { at: -1, score: 0 };
    for (let k = 1; k < n; k++) {
      head += w[k - 1];
      const n0 = k;
      const n1 = n - k;
      if (n0 < this.minSub || n1 < this.minSub) continue;
      const m = 1 / (1 / n0 + 1 / n1);
      const epsilon = Math.sqrt((2 / m) * variance * logTerm) + (2 / (3 * m)) * logTerm;
      const gap = Math.abs(head / n0 - (total - head) / n1);
      const score = gap / epsilon;
      if (score > best.score) best = { at: score > 1 ? k : -1, score };
    }
    return best;
  }
}
