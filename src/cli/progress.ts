/**
 * The one progress bar of the CLI (over `cli-progress`), shared by every long-running command. It
 * draws on stderr only when a person is watching: never with `--quiet` or `--json` (so stdout
 * stays machine-readable and scripts stay silent), and never when stderr is not a terminal (so CI
 * logs get no control characters). When it does not draw, every method is a no-op, so commands
 * call it unconditionally.
 *
 * @example
 * await withProgress(plants.length, { label: 'simulating', unit: 'plants', quiet: opts.quiet, json: opts.json }, async (bar) => {
 *   for (const p of plants) { await simulate(p); bar.tick(1, p.plantId); }
 * });
 */
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** Text before the bar. Default ''. */
  label?: string;
  /** What is counted, shown after the count (e.g. 'plants', 'rounds'). Default ''. */
  unit?: string;
  /** `--quiet`: draw nothing. Default false. */
  quiet?: boolean;
  /** `--json`: output is for machines; draw nothing. Default false. */
  json?: boolean;
  /** Where to draw. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Progress {
  /** Whether a bar is being drawn. */
  readonly enabled: boolean;
  /** Advances by `n` (default 1); `status` replaces the text after the bar. */
  tick(n?: number, status?: string): void;
  /** Sets the count to `value`. */
  update(value: number, status?: string): void;
  /** Changes the total (when it becomes known late). */
  setTotal(total: number): void;
  /** Finishes the bar (idempotent). */
  stop(): void;
}

const silent: Progress = { enabled: false, tick() {}, update() {}, setTotal() {}, stop() {} };

/** Whether a bar would be drawn for these options. */
export function progressEnabled(options: ProgressOptions = {}): boolean {
  const stream = options.stream ?? process.stderr;
  return !options.quiet && !options.json && stream.isTTY === true;
}

/**
 * A progress bar over `total` steps (see the module comment for when it draws).
 *
 * @example
 * const bar = createProgress(10, { label: 'rounds' });
 * bar.tick(); bar.stop();
 */
export function createProgress(total: number, options: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0) throw new RangeError(`createProgress: total must be a finite number ≥ 0, got ${total}`);
  if (!progressEnabled(options)) return silent;
  const label = options.label ? `${options.label} ` : '';
  const unit = options.unit ? ` ${options.unit}` : '';
  const bar = new cliProgress.SingleBar(
    {
      format: `${label}[{bar}] {value}/{total}${unit} | {duration_formatted} | {status}`,
      stream: options.stream ?? process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  let stopped = false;
  bar.start(total, 0, { status: '' });
  return {
    enabled: true,
    tick(n = 1, status?: string) {
      if (stopped) return;
      value += n;
      bar.update(value, status === undefined ? undefined : { status });
    },
    update(v: number, status?: string) {
      if (stopped) return;
      value = v;
      bar.update(value, status === undefined ? undefined : { status });
    },
    setTotal(t: number) {
      if (!stopped) bar.setTotal(t);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/**
 * Runs `work` with a bar that is stopped however `work` ends (so an error message is never
 * printed into a half-drawn bar).
 */
export async function withProgress<T>(total: number, options: ProgressOptions, work: (bar: Progress) => Promise<T>): Promise<T> {
  const bar = createProgress(total, options);
  try {
    return await work(bar);
  } finally {
    bar.stop();
  }
}
