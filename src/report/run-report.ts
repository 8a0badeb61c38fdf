/**
 * The report of one federation run, from the coordinator's store alone (`crucible report`): what
 * was run (model kind, strategy, privacy settings), how training went round by round, how the
 * model evaluates — regression metrics, or for a classifier precision/recall/F1, AUC and the
 * confusion matrices, pooled and per plant — which plants took part or dropped out, and what the
 * privacy ledger recorded. Works for every run kind; a section without data says so.
 *
 * @example
 * const report = runReport(CrucibleStore.open('crucible.db'), { runId: 'line-7' });
 * await writeReport('out', report, 'line-7.html');
 */
import type { ClassificationEvaluation, ClassificationReport } from '../federation/evaluation.js';
import type { CrucibleStore, RoundSummaryRow } from '../store/store.js';
import type { Report, ReportBlock, ReportSection } from './html.js';
import { lineChart } from './svg.js';

interface RunConfigView {
  rounds?: number;
  model?: { kind?: string; classes?: number; classNames?: string[]; example?: string; widths?: number[]; hidden?: number[] };
  strategy?: { kind?: string };
  secureAggregation?: { enabled?: boolean; variant?: string };
  featureScaling?: boolean;
  minPlants?: number;
}

interface SummaryView {
  fit?: Record<string, number | null>;
  evaluation?: Record<string, number | null> | null;
  classification?: ClassificationEvaluation;
  dropped?: Array<{ plantId: string; stage: string; code: string }>;
  durationMs?: number;
}

/** The report of `runId` (default: the newest run). Throws a RangeError naming the run when it is not in the store. */
export function runReport(store: CrucibleStore, options: { runId?: string } = {}): Report {
  const run = options.runId === undefined ? store.runs()[0] : store.run(options.runId);
  if (run === undefined) {
    const known = store.runs().map((r) => r.id);
    throw new RangeError(options.runId === undefined ? 'the store holds no runs' : `no run '${options.runId}' in the store (runs: ${known.join(', ') || 'none'})`);
  }
  const config = (run.config ?? {}) as RunConfigView;
  const rounds = store.rounds(run.id);
  const summaries = rounds.map((r) => r.summary as SummaryView);
  const classification = [...summaries].reverse().find((s) => s.classification !== undefined)?.classification;
  const evaluated = rounds.filter((r) => (r.summary as SummaryView).evaluation != null || (r.summary as SummaryView).classification !== undefined);
  return {
    title: `Federation run '${run.id}'`,
    subtitle: `${run.status}, ${rounds.length}${config.rounds === undefined ? '' : ` of ${config.rounds}`} rounds, started ${run.createdAt}`,
    sections: [
      setupSection(config, rounds),
      trainingSection(rounds),
      classification !== undefined ? classificationSection(rounds, classification, config) : regressionSection(store, run.id, rounds, evaluated.at(-1)),
      plantsSection(store, rounds),
      privacySection(store, run.id),
    ],
  };
}

function setupSection(config: RunConfigView, rounds: RoundSummaryRow[]): ReportSection {
  const m = config.model ?? {};
  const shape = m.kind === 'classifier' ? `${m.classes} classes${m.classNames ? ` (${m.classNames.join(', ')})` : ''}, hidden ${JSON.stringify(m.hidden ?? [])}`
    : m.kind === 'hybrid' ? `example ${m.example}` : m.widths ? `widths ${JSON.stringify(m.widths)}` : `hidden ${JSON.stringify(m.hidden ?? [])}`;
  const plants = new Set(rounds.flatMap((r) => r.participants));
  return {
    heading: 'Set-up',
    blocks: [{
      kind: 'keyValues',
      entries: [
        ['model', `${m.kind ?? 'neural'}: ${shape}`],
        ['strategy', config.strategy?.kind ?? '-'],
        ['secure aggregation', config.secureAggregation?.enabled ? `on (${config.secureAggregation.variant ?? 'secagg+'})` : 'off'],
        ['federated feature scaling', config.featureScaling === false ? 'off' : 'on'],
        ['plants that took part', [...plants].sort().join(', ') || '-'],
        ['rounds completed', rounds.length],
      ],
    }],
  };
}

function trainingSection(rounds: RoundSummaryRow[]): ReportSection {
  const points = (key: string) => rounds.map((r) => [r.round, Number((r.summary as SummaryView).fit?.[key] ?? Number.NaN)] as const).filter(([, v]) => Number.isFinite(v));
  const loss = points('trainLoss');
  const blocks: ReportBlock[] = loss.length > 0
    ? [{ kind: 'figure', svg: lineChart([{ name: 'train loss', points: loss }], { title: 'Sample-weighted train loss', xLabel: 'round', yLabel: 'loss', logY: loss.every(([, v]) => v > 0) }) }]
    : [{ kind: 'text', text: 'No train loss was released (under secure aggregation plants reveal only the summed update).' }];
  const durations = rounds.map((r) => (r.summary as SummaryView).durationMs ?? Number.NaN).filter(Number.isFinite);
  if (durations.length > 0) blocks.push({ kind: 'text', text: `Round wall time: median ${(median(durations) / 1000).toFixed(2)} s, longest ${(Math.max(...durations) / 1000).toFixed(2)} s.` });
  return { heading: 'Training', blocks };
}

function regressionSection(store: CrucibleStore, runId: string, rounds: RoundSummaryRow[], last: RoundSummaryRow | undefined): ReportSection {
  if (last === undefined) return { heading: 'Evaluation', blocks: [{ kind: 'text', text: 'No round was evaluated.' }] };
  const series = (key: string) => rounds.map((r) => [r.round, Number((r.summary as SummaryView).evaluation?.[key] ?? Number.NaN)] as const).filter(([, v]) => Number.isFinite(v));
  const perPlant = store.metrics(runId, last.round).filter((m) => m.stage === 'evaluate');
  const pooled = (last.summary as SummaryView).evaluation ?? {};
  return {
    heading: 'Evaluation (held-out data of every plant)',
    blocks: [
      { kind: 'figure', svg: lineChart([{ name: 'pooled RMSE', points: series('rmse') }], { title: 'Pooled held-out RMSE', xLabel: 'round', yLabel: 'RMSE' }) },
      {
        kind: 'table', caption: `Round ${last.round}`, columns: ['plant', 'examples', 'MSE', 'RMSE', 'MAE', 'R²'],
        rows: [
          ...perPlant.map((m) => [m.plantId, m.values.numExamples ?? '-', m.values.mse ?? '-', m.values.rmse ?? '-', m.values.mae ?? '-', m.values.r2 ?? '-']),
          ['pooled', perPlant.reduce((s, m) => s + (m.values.numExamples ?? 0), 0), num(pooled.mse), num(pooled.rmse), num(pooled.mae), num(pooled.r2)],
        ],
      },
    ],
  };
}

function classificationSection(rounds: RoundSummaryRow[], last: ClassificationEvaluation, config: RunConfigView): ReportSection {
  const names = config.model?.classNames ?? Array.from({ length: last.classes }, (_, k) => `class ${k}`);
  const over = (pick: (c: ClassificationReport) => number, name: string) => ({
    name,
    points: rounds.flatMap((r) => {
      const c = (r.summary as SummaryView).classification?.pooled;
      return c === undefined ? [] : [[r.round, pick(c)] as const];
    }),
  });
  const rare = names.slice(1).map((n, k) => over((c) => c.perClass[k + 1].recall, `recall ${n}`));
  const blocks: ReportBlock[] = [
    { kind: 'figure', svg: lineChart([over((c) => c.macroF1, 'macro-F1'), ...rare, over((c) => c.auc[0], `AUC ${names[1]}`)], { title: 'Pooled held-out metrics', xLabel: 'round', yLabel: '' }) },
    {
      kind: 'table', caption: `Pooled over ${Object.keys(last.perPlant).length} plants (${last.pooled.count} held-out examples): accuracy ${fixed(last.pooled.accuracy)}, macro-F1 ${fixed(last.pooled.macroF1)}`,
      columns: ['class', 'support', 'precision', 'recall', 'F1', 'AUC (vs rest)'],
      rows: last.pooled.perClass.map((m, k) => [names[k], m.support, m.precision, m.recall, m.f1, k === 0 ? '-' : num(last.pooled.auc[k - 1])]),
    },
    confusionTable('Pooled confusion matrix', last.pooled, names),
    {
      kind: 'table', caption: 'Per plant', columns: ['plant', 'examples', 'accuracy', 'macro-F1', ...names.slice(1).flatMap((n) => [`recall ${n}`, `precision ${n}`, `AUC ${n}`])],
      rows: Object.entries(last.perPlant).map(([id, c]) => [id, c.count, c.accuracy, c.macroF1, ...c.perClass.slice(1).flatMap((m, k) => [m.recall, m.precision, num(c.auc[k])])]),
    },
    ...Object.entries(last.perPlant).map(([id, c]) => confusionTable(`Confusion matrix of ${id}`, c, names)),
    { kind: 'text', text: 'Pooled metrics come from the sum of the plants\' confusion matrices (exact) and of their score histograms (AUC of scores binned to 1/1000): plants share counts, never rows.' },
  ];
  return { heading: 'Evaluation (classifier, held-out data of every plant)', blocks };
}

function confusionTable(caption: string, c: ClassificationReport, names: readonly string[]): ReportBlock {
  const K = names.length;
  return {
    kind: 'table', caption, columns: ['actual \\ predicted', ...names],
    rows: names.map((n, a) => [n, ...Array.from({ length: K }, (_, p) => c.confusion[a * K + p])]),
  };
}

function plantsSection(store: CrucibleStore, rounds: RoundSummaryRow[]): ReportSection {
  const dropped = new Map<string, number>();
  for (const r of rounds) for (const d of (r.summary as SummaryView).dropped ?? []) dropped.set(`${d.plantId}\u0000${d.stage}\u0000${d.code}`, (dropped.get(`${d.plantId}\u0000${d.stage}\u0000${d.code}`) ?? 0) + 1);
  const taken = new Map<string, number>();
  for (const r of rounds) for (const p of r.participants) taken.set(p, (taken.get(p) ?? 0) + 1);
  const registry = store.plants.list();
  return {
    heading: 'Plants',
    blocks: [
      {
        kind: 'table', columns: ['plant', 'rounds taken part in', 'last seen', 'revoked'],
        rows: [...new Set([...registry.map((p) => p.id), ...taken.keys()])].sort().map((id) => {
          const p = registry.find((q) => q.id === id);
          return [id, taken.get(id) ?? 0, p?.lastSeenAt ?? '-', p?.revokedAt ?? '-'];
        }),
      },
      dropped.size === 0
        ? { kind: 'text', text: 'No plant was dropped from a round.' }
        : { kind: 'table', caption: 'Dropped from rounds', columns: ['plant', 'stage', 'code', 'rounds'], rows: [...dropped].map(([k, n]) => [...k.split('\u0000'), n]) },
    ],
  };
}

function privacySection(store: CrucibleStore, runId: string): ReportSection {
  const ledger = store.privacyLedger(runId);
  if (ledger.length === 0) return { heading: 'Privacy ledger', blocks: [{ kind: 'text', text: 'No differential-privacy release was recorded for this run.' }] };
  const mechanisms = new Map<string, number>();
  for (const row of ledger) mechanisms.set(String(row.entry.mechanism ?? 'unnamed'), (mechanisms.get(String(row.entry.mechanism ?? 'unnamed')) ?? 0) + 1);
  return {
    heading: 'Privacy ledger',
    blocks: [{ kind: 'table', columns: ['mechanism', 'releases', 'rounds'], rows: [...mechanisms].map(([m, n]) => [m, n, `${ledger[0].round} … ${ledger.at(-1)!.round}`]) }],
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function num(v: number | null | undefined): number | string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v;
}

function fixed(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : '-';
}
