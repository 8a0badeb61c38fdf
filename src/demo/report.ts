/**
 * The demo's report: one self-contained HTML file (src/report/) with the per-plant table, the
 * convergence of the global MSE per round (log scale), bars of local vs federated vs centralized,
 * parity plots, the privacy ledger and the optimization result.
 *
 * @example
 * const path = await writeDemoReport('out/cstr-7', { options, prepared, network, metrics, ratios, models, optimization });
 */
import { writeReport, type ReportSection } from '../report/html.js';
import { barChart, lineChart, parityPlot } from '../report/svg.js';
import type { ProcessModel } from '../nn/process-model.js';
import type { DpOutcome } from './dp.js';
import type { NetworkResult } from './network.js';
import { type OptimizationOutcome, optimizationSummary } from './optimize.js';
import type { LimitCheck } from './setpoint-case.js';
import type { PreparedPlants } from './plants.js';
import type { ResponseSurfaces } from './response-surfaces.js';
import { type ChargeOutcome, chargeSummary } from './eaf-charge.js';
import type { DemoOptions, DemoResult, MethodName, PlantMetricsRow } from './run-demo.js';
import { parityPoints } from './score.js';

export interface DemoReportInput {
  options: DemoOptions;
  prepared: PreparedPlants;
  network: NetworkResult;
  metrics: PlantMetricsRow[];
  ratios: DemoResult['ratios'];
  models: { local: Record<string, ProcessModel>; federated: ProcessModel; personalized: Record<string, ProcessModel>; centralized?: ProcessModel; dp?: ProcessModel };
  dp?: DpOutcome;
  optimization: OptimizationOutcome;
  surfaces?: ResponseSurfaces;
  charge?: ChargeOutcome;
}

const methodOrder: MethodName[] = ['local', 'federated', 'federated+finetune', 'centralized', 'federated+dp', 'local RS', 'federated RS'];

/** Writes `<dir>/report.html` and returns its path. */
export async function writeDemoReport(dir: string, r: DemoReportInput): Promise<string> {
  const plants = r.prepared.plants.map((p) => p.plantId);
  const methods = methodOrder.filter((m) => r.metrics.some((row) => row.method === m));
  const sections: ReportSection[] = [];

  const beats = r.ratios.filter((x) => x.federatedOverLocal < 1).length;
  sections.push({
    heading: 'Summary',
    blocks: [
      {
        kind: 'keyValues',
        entries: [
          ['scenario', r.prepared.scenario === 'debutanizer' ? 'debutanizer column (real data), split by time into three plants' : `${r.prepared.scenario}, preset ${r.prepared.preset ?? r.options.preset}, seed ${r.options.seed}`],
          ['the plants', plantsNote(r)],
          ['features', r.prepared.featureNote],
          ['model', `MLP ${[r.prepared.inputNames.length, ...r.options.hidden, r.prepared.outputNames.length].join('–')}, ${r.options.activation}`],
          ['federated training', `${r.network.rounds.length} rounds × ${r.options.localSteps} local SGD steps (lr ${r.options.localLearningRate}, batch ${r.options.batchSize}), FedAdam server lr ${r.options.serverLearningRate}; coordinator and 3 plant processes over gRPC with mutual TLS on 127.0.0.1:${r.network.port}`],
          ['secure aggregation', r.network.secureAggregation ? 'on (SecAgg+ over gRPC: every plant required it, the coordinator saw only the sums of updates and feature statistics)' : 'off (the coordinator saw each plant\'s update)'],
          ['local-only / centralized', `${r.options.epochs} / ${r.options.centralizedEpochs} epochs, Adam lr ${r.options.learningRate} with cosine decay (chosen on validation blocks)`],
          ['personalization', `each plant fine-tunes the federated model for ${r.options.fineTuneEpochs} epochs on its own rows (Adam lr ${r.options.fineTuneLearningRate}): 'federated+finetune'`],
          ['federated beats local-only', `${beats} of ${plants.length} plants (federated+finetune: ${r.ratios.filter((x) => x.fineTunedOverLocal < 1).length} of ${plants.length}); test MSE federated/local ${range(r.ratios.map((x) => x.federatedOverLocal))}, federated/centralized ${range(r.ratios.map((x) => x.federatedOverCentralized))}`],
          ...(r.surfaces === undefined ? [] : [responseSurfaceLine(r)]),
          ...(r.charge === undefined ? [] : chargeSummary(r.charge).map((line, i): [string, string] => [i === 0 ? 'charge optimization' : '', line])),
          ...optimizationSummary(r.optimization.rows).map((line, i): [string, string] => [i === 0 ? 'setpoint optimization' : '', line]),
          ...r.ratios.map((x): [string, string] => [
            `${x.plantId}: test MSE ratios`,
            `federated/local ${x.federatedOverLocal.toFixed(3)}, federated/centralized ${x.federatedOverCentralized.toFixed(3)}, federated+finetune/local ${x.fineTunedOverLocal.toFixed(3)}`,
          ]),
        ],
      },
    ],
  });

  sections.push({
    heading: 'Accuracy per plant (held-out later block of each plant)',
    blocks: [
      { kind: 'text', text: `Metrics on targets standardised with the pooled training scaling, averaged over outputs; each plant's test block is the last ${r.prepared.fleet === 'same-process' ? 20 : 30}% of its log, after a gap of the features' maximum lag.` },
      {
        kind: 'table',
        caption: 'Per-plant table',
        columns: ['plant', 'method', 'MSE', 'RMSE', 'R²'],
        rows: r.metrics.map((m) => [m.plantId, m.method, m.mse, m.rmse, m.r2]),
      },
      {
        kind: 'figure',
        svg: barChart(plants, methods.map((m) => ({ name: m, values: plants.map((p) => r.metrics.find((x) => x.plantId === p && x.method === m)?.mse ?? Number.NaN) })), {
          title: 'Test MSE per plant',
          xLabel: 'plant',
          yLabel: 'MSE (standardised, log scale)',
          logY: true,
        }),
        caption: 'Local-only vs federated vs centralized (and federated + DP), log scale.',
      },
    ],
  });

  const convergence = r.network.rounds.filter((x) => x.mse > 0).map((x): [number, number] => [x.round, x.mse]);
  sections.push({
    heading: 'Convergence',
    blocks: [
      {
        kind: 'figure',
        svg: lineChart([{ name: 'global validation MSE', points: convergence }], { title: 'Federated training over gRPC', xLabel: 'round', yLabel: 'MSE (target units)', logY: true }),
        caption: "Pooled MSE of each round's global model on the plants' own validation shares, in the targets' units averaged over outputs (federated evaluation; only sums leave the plants).",
      },
    ],
  });

  const output = r.prepared.outputNames.length - 1;
  sections.push({
    heading: `Parity: ${r.prepared.outputNames[output]}`,
    blocks: r.prepared.plants.map((p) => ({
      kind: 'figure' as const,
      svg: parityPlot(
        [
          ...(r.models.local[p.plantId] ? [{ name: 'local', points: parityPoints(r.models.local[p.plantId], p.data.test, output) }] : []),
          { name: 'federated', points: parityPoints(r.models.federated, p.data.test, output) },
          { name: 'federated+finetune', points: parityPoints(r.models.personalized[p.plantId], p.data.test, output) },
          ...(r.models.centralized ? [{ name: 'centralized', points: parityPoints(r.models.centralized, p.data.test, output) }] : []),
        ],
        { title: `${p.plantId}: predicted vs measured`, xLabel: `measured ${r.prepared.outputNames[output]}`, yLabel: 'predicted', width: 520, height: 360 },
      ),
    })),
  });

  sections.push({
    heading: 'Privacy ledger',
    blocks: [
      {
        kind: 'text',
        text:
          'What left each plant in the network run: model updates and evaluation sums, never rows. ' +
          (r.network.secureAggregation
            ? 'Secure aggregation (SecAgg+) was on in every round: the coordinator saw only the sums of the plants\' updates and feature statistics, and each plant refused to answer in the clear. Per-plant train losses are therefore not reported.'
            : 'Secure aggregation was off in the network run: the coordinator saw each plant\'s update.'),
      },
      ...(r.dp
        ? [
            {
              kind: 'keyValues' as const,
              entries: [
                ['mechanism', 'plant-level DP-FedAvg (Gaussian), in memory'] as [string, string],
                ['noise multiplier z', r.dp.noiseMultiplier] as [string, number],
                ['clip norm C', r.dp.clipNorm] as [string, number],
                ['δ', r.dp.delta] as [string, number],
                ['rounds', r.dp.rounds] as [string, number],
                ['ε spent (RDP accountant)', r.dp.epsilon] as [string, number],
              ],
            },
            {
              kind: 'figure' as const,
              svg: lineChart([{ name: 'ε spent', points: r.dp.ledger.map((x): [number, number] => [x.round, x.epsilon]) }], { title: 'Privacy ledger', xLabel: 'round', yLabel: `ε at δ = ${r.dp.delta}` }),
              caption: 'ε spent after each round (RDP accountant).',
            },
            { kind: 'table' as const, caption: 'ε spent (every tenth of the run)', columns: ['round', 'ε'], rows: tenths(r.dp.ledger).map((x) => [x.round, x.epsilon]) },
          ]
        : [{ kind: 'text' as const, text: 'No differentially private variant was trained in this run.' }]),
    ],
  });

  if (r.charge !== undefined) sections.push(chargeSection(r.charge));
  else sections.push(optimizationSection(r.optimization));

  return writeReport(dir, {
    title: `Crucible demo: ${r.prepared.scenario}`,
    subtitle: `Three plants learn one process model without sharing data — ${new Date().toISOString()}`,
    sections,
  });
}

/** The response surfaces in one line: what they are and at how many plants the federated one beats the local one. */
function responseSurfaceLine(r: DemoReportInput): [string, string] {
  const mse = (plantId: string, method: MethodName): number => r.metrics.find((m) => m.plantId === plantId && m.method === method)?.mse ?? Number.NaN;
  const ratios = r.prepared.plants.map((p) => mse(p.plantId, 'federated RS') / mse(p.plantId, 'local RS'));
  return [
    'plant-adapted response surface',
    `the optimization study's model (cubic body federated by FedAvg for ${r.surfaces?.rounds} rounds in memory${r.surfaces?.secureAggregation ? ' with SecAgg+ (feature statistics, updates and uncertainty statistics summed securely)' : ''}, each plant's input shift and output offset local; docs/optimization.md): ` +
      `federated RS beats local RS at ${ratios.filter((x) => x < 1).length} of ${ratios.length} plants, test MSE federated RS/local RS ${range(ratios)}`,
  ];
}

/** The first entry and every tenth of the run (at most 11 rows). */
function tenths<T>(ledger: readonly T[]): T[] {
  const step = Math.max(1, Math.round(ledger.length / 10));
  return ledger.filter((_, i) => i === 0 || (i + 1) % step === 0 || i === ledger.length - 1);
}

function range(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
}

/** The plants in one sentence: what the preset is and how its test blocks relate to its training blocks. */
function plantsNote(r: DemoReportInput): string {
  if (r.prepared.scenario === 'debutanizer') return 'one real column (Fortuna et al. 2007) split by time into thirds: each third is a plant; each plant\'s test block is the last 30 % of its third';
  if (r.prepared.scenario === 'cstr' && (r.prepared.preset ?? r.options.preset) === 'arxiv-2604.26073') {
    return 'three plants of one licensed process and catalyst (activity 0.98–1.02) of different sizes (VR 8, 10, 14 L), each in its own narrow operating window with few analyser results; ' +
      'in the last 30 % of each log (its test block) the plant moves into conditions other plants have run; each plant\'s optimum lies outside its own window (docs/simulators.md)';
  }
  if (r.prepared.scenario === 'cstr' && (r.prepared.preset ?? r.options.preset) === 'strongly-heterogeneous') {
    return 'three very different plants (catalyst activity 0.8–1.1, unobserved; sizes; fouling; sensor bias), each tested in its own window: no one model fits all three, so local-only models win here';
  }
  if (r.prepared.fleet === 'same-process') {
    return 'the fleet of the optimization study: three plants of one process (catalyst activity 1.00/0.98/1.02, activation energies 0/+0.2/−0.2 %), each in its own window — low F_B and T (800 records), low F_B and high T (400), high F_B (200); ' +
      'the constrained optimum (F_B ≈ 5, T_R ≈ 84 °C) lies in no plant\'s window; each plant\'s test block is the last 20 % of its records (docs/optimization.md)';
  }
  return `preset ${r.prepared.preset ?? r.options.preset} (docs/simulators.md)`;
}

function setpointText(values: Record<string, number>): string {
  return Object.entries(values).map(([k, v]) => `${k} = ${Number(v.toPrecision(4))}`).join(', ');
}

function limitsText(limits: readonly LimitCheck[]): string {
  const broken = limits.filter((l) => l.violation > 0);
  return broken.length === 0 ? 'all met' : broken.map((l) => `${l.name} violated by ${Number(l.violation.toPrecision(2))}`).join('; ');
}

/** The optimization table: what each plant runs with each model, its true outcome and the limits, and open loop for comparison. */
function optimizationSection(opt: OptimizationOutcome): ReportSection {
  if (opt.skipped !== undefined) return { heading: 'Setpoint optimization', blocks: [{ kind: 'text', text: opt.skipped }] };
  const hasOpenLoop = opt.rows.some((x) => x.openLoop !== undefined);
  return {
    heading: 'Setpoint optimization',
    blocks: [
      {
        kind: 'text',
        text:
          `${opt.description ?? ''} Every network is trusted only where its training data lie: candidates stay within Mahalanobis distance ${opt.maxMahalanobis} ` +
          "of the mean of the model's training inputs, from the feature statistics it was scaled with — for the federated model the fleet's, summed by secure aggregation; " +
          "for a local-only model the plant's own. Regret = (true optimum − true profit of the implemented setpoints) / true optimum.",
      },
      {
        kind: 'figure',
        svg: barChart(
          [...new Set(opt.rows.map((x) => x.plantId))],
          [...new Set(opt.rows.map((x) => x.model))].map((m) => ({
            name: m,
            values: [...new Set(opt.rows.map((x) => x.plantId))].map((p) => {
              const row = opt.rows.find((x) => x.plantId === p && x.model === m);
              return row === undefined || row.status === 'infeasible' ? Number.NaN : Math.max(0, row.regretPercent);
            }),
          })),
          { title: 'Regret on the true plant', xLabel: 'plant', yLabel: 'regret (% of the true optimum)' },
        ),
        caption: 'A missing bar: the model found no point meeting the limits within its trust region (no recommendation). Rows that break a limit are marked in the table.',
      },
      ...(opt.unreachable ?? []).map((u) => ({ kind: 'text' as const, text: `${u.plantId} is not scored: ${u.reason}.` })),
      {
        kind: 'table',
        caption: 'Optimization result',
        columns: ['plant', 'model', 'implemented setpoints', 'Mahalanobis', 'predicted profit', 'true profit', 'limits on the true plant', 'true optimum', 'at (active limits)', 'regret %', ...(hasOpenLoop ? ['open loop: regret %', 'open loop: limits'] : [])],
        rows: opt.rows.map((x) =>
          x.status === 'infeasible'
            ? [x.plantId, x.model, 'none: the model finds no point meeting the limits within its trust region', Number.NaN, Number.NaN, Number.NaN, '—', x.optimalProfit, `${setpointText(x.optimum)} (${x.optimumActive.join(', ')})`, Number.NaN, ...(hasOpenLoop ? [Number.NaN, '—'] : [])]
            : [
                x.plantId, x.model, setpointText(x.implemented), x.mahalanobis ?? Number.NaN, x.predictedProfit, x.trueProfit, limitsText(x.limits),
                x.optimalProfit, `${setpointText(x.optimum)} (${x.optimumActive.join(', ')})`, x.regretPercent,
                ...(hasOpenLoop ? [x.openLoop?.regretPercent ?? Number.NaN, x.openLoop === undefined ? '—' : limitsText(x.openLoop.limits)] : []),
              ],
        ),
      },
    ],
  };
}

function chargeText(chargeT: Record<string, number>): string {
  return Object.entries(chargeT).filter(([, t]) => t > 0.05).map(([id, t]) => `${id} ${t.toFixed(1)} t`).join(', ');
}

/** The charge optimization: per shop and model, the charge, the cost gap to the exact optimum and the spec on the truth. */
function chargeSection(c: ChargeOutcome): ReportSection {
  const shops = [...new Set(c.rows.map((r) => r.plantId))];
  return {
    heading: 'Charge optimization',
    blocks: [
      { kind: 'text', text: `${c.description} Normal equations: ${c.summation}.` },
      {
        kind: 'figure',
        svg: barChart(
          shops,
          ['federated', 'local'].map((m) => ({
            name: m,
            values: shops.map((p) => {
              const row = c.rows.find((x) => x.plantId === p && x.method === m);
              return row === undefined || row.status === 'infeasible' ? Number.NaN : row.costGapPercent;
            }),
          })),
          { title: 'Cost above the exact optimum, on the true simulator', xLabel: 'shop', yLabel: 'cost gap (% of the exact optimum)' },
        ),
        caption: 'A missing bar: the model finds no charge meeting the spec with its own grades (infeasible, the binding limit in the table).',
      },
      {
        kind: 'table',
        caption: 'Charge optimization result',
        columns: ['shop', 'model', 'charge', 'tapped steel t (target)', 'true cost $', 'exact optimum $', 'cost gap %', 'spec on the true simulator', 'Cu wt% true (predicted ± sd)', 'Sn wt% true (predicted ± sd)'],
        rows: c.rows.map((x) =>
          x.status === 'infeasible'
            ? [x.plantId, x.method, `none: infeasible (${x.infeasibleConstraint ?? 'no charge meets the spec'})`, `— (${x.steelTargetT})`, Number.NaN, Number.NaN, Number.NaN, '—', '—', '—']
            : [
                x.plantId, x.method, chargeText(x.chargeT), `${x.trueSteelT.toFixed(1)} (${x.steelTargetT})`, x.trueCostUsd, x.exactCostUsd, x.costGapPercent,
                x.violations.length === 0 ? 'met' : x.violations.join('; '),
                `${x.residuals.Cu.true.toPrecision(3)} (${x.residuals.Cu.predicted.toPrecision(3)} ± ${x.residuals.Cu.sd.toPrecision(2)})`,
                `${x.residuals.Sn.true.toPrecision(3)} (${x.residuals.Sn.predicted.toPrecision(3)} ± ${x.residuals.Sn.sd.toPrecision(2)})`,
              ],
        ),
      },
      { kind: 'keyValues', entries: chargeSummary(c).map((line, i): [string, string] => [i === 0 ? 'summary' : '', line]) },
    ],
  };
}
