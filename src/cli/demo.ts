/**
 * `crucible demo`: the whole story on one machine — three plants, a coordinator and three plant
 * processes over gRPC, the comparison with local-only and centralized models, setpoint optimization
 * and an HTML report. Wiring only: the work is `runDemo` in demo/.
 *
 * @example
 * program.addCommand(demoCommand());
 * // crucible demo --scenario cstr --seed 7
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { bundledDebutanizerCsv } from '../data/examples/debutanizer.js';
import { demoScenarios, preparePlants, type DemoScenario } from '../demo/plants.js';
import { type DemoEvent, type DemoOptions, type DemoResult, defaultDemoOptions, runDemo } from '../demo/run-demo.js';
import { selectDemoSettings, type SelectionReport } from '../demo/select.js';
import { type OptimizationRow, optimizationSummary } from '../demo/optimize.js';
import { presetNames, type PresetName } from '../process/scenario.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { join, resolve } from 'node:path';
import { createProgress, type Progress } from './progress.js';
import { type ChargeOutcome, chargeSummary } from '../demo/eaf-charge.js';

interface DemoFlags {
  scenario: DemoScenario;
  preset: PresetName;
  select?: boolean;
  seed: number;
  out: string;
  run?: string;
  fast?: boolean;
  rounds?: number;
  localSteps?: number;
  epochs?: number;
  samples?: number;
  dp: boolean;
  dpEpsilon: number;
  dpClip: number;
  dataFile?: string;
  quiet?: boolean;
  json?: boolean;
}

function integer(min: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^\d+$/.test(text.trim()) || v < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${text}'`);
    return v;
  };
}

function positive(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number > 0, got '${text}'`);
  return v;
}

/** The `demo` command. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('run the three-plant demo end to end: simulate, federate over gRPC, compare with local-only and centralized, optimize, report')
    .addOption(new Option('--scenario <name>', 'plants to use').choices([...demoScenarios]).default('cstr'))
    .addOption(
      new Option('--preset <name>', "preset of the simulated plants (williams-otto: the default is the optimization study's fleet, strongly-heterogeneous the paper's plants)").choices([...presetNames]).default('arxiv-2604.26073'),
    )
    .option('--seed <n>', 'seed of the plants, their data and every model', integer(0), 7)
    .option('--out <dir>', 'parent folder of the run folder', 'out')
    .option('--run <name>', 'run folder name (default <scenario>-<seed>)')
    .option('--fast', 'small data and few rounds (under a minute; what the test runs)')
    .option('--select', 'choose the settings on validation blocks (in memory) and print the table, instead of running the demo')
    .option('--rounds <n>', `federated rounds (default per scenario, CSTR ${defaultDemoOptions.rounds}; fast 3)`, integer(1))
    .option('--local-steps <n>', 'local SGD steps per plant per round (default 10; fast 5)', integer(1))
    .option('--epochs <n>', `epochs of the local-only and centralized models (default per scenario, CSTR ${defaultDemoOptions.epochs}; fast 5)`, integer(1))
    .option('--samples <n>', 'samples per simulated plant (default: each plant its own count)', integer(50))
    .option('--no-dp', 'skip the federated + differential privacy variant')
    .option('--dp-epsilon <ε>', 'privacy budget of the DP variant over all rounds (δ = 1e-5); sets the noise multiplier', positive, 8)
    .option('--dp-clip <C>', 'DP clip norm of each plant update', positive, 0.1)
    .option('--data-file <csv>', "the debutanizer CSV for --scenario debutanizer (default: the copy in the package's data/ folder)", bundledDebutanizerCsv())
    .option('--json', 'print one JSON object per line (events, then the result)')
    .option('--quiet', 'print only the report path and errors')
    .addHelpText(
      'after',
      `
Examples:
  crucible demo                                 # CSTR, 800 rounds: ~2 min on 2 cores; writes out/cstr-7/report.html
  crucible demo --fast                          # small data, 3 rounds
  crucible demo --scenario debutanizer          # real data: the debutanizer column split by time into three plants
  crucible demo --preset strongly-heterogeneous # the CSTR plants with very different kinetics (federation loses there)
  crucible demo --select                        # how the defaults were chosen: the validation table
  crucible demo --scenario williams-otto        # the optimization study's fleet; ~2.5 min; regret per plant on the true simulator
  crucible demo --scenario williams-otto --seed 3 --out /tmp/runs
  crucible demo --json | jq -c 'select(.type == "metrics")'

The federation runs the real commands as processes: 'crucible enroll' per plant, then
'crucible coordinator --config federation.yaml' and one 'crucible plant --config plant-<id>.yaml' per
plant (commands.txt in the federation folder lists them). The run folder holds plants/ (CSV + schema
per plant), federation/ (pki, credentials, configs, the coordinator's SQLite store) and report.html.

Exit codes: 0 done; 70 PROCESS_FAILED (a coordinator or plant process exited before the run
completed); 65 DATA_INVALID (e.g. the debutanizer CSV, row and column named); 64 usage error; the
full table is in docs/cli.md.`,
    )
    .action(async (flags: DemoFlags) => {
      if (flags.select === true) return selectCommand(flags);
      const options: Partial<DemoOptions> = {
        scenario: flags.scenario,
        preset: flags.preset,
        seed: flags.seed,
        outDir: flags.out,
        runName: flags.run,
        fast: flags.fast === true,
        rounds: flags.rounds,
        localSteps: flags.localSteps,
        epochs: flags.epochs,
        centralizedEpochs: flags.epochs,
        samples: flags.samples,
        dp: flags.dp ? { epsilon: flags.dpEpsilon, clipNorm: flags.dpClip, delta: 1e-5 } : false,
        debutanizerFile: flags.dataFile,
      };
      const demo = runDemo(options);
      const printer = flags.json ? jsonPrinter() : textPrinter(flags.quiet === true);
      let step = await demo.next();
      try {
        while (!step.done) {
          printer.event(step.value);
          step = await demo.next();
        }
      } finally {
        printer.stop();
      }
      printer.result(step.value);
    });
}

interface Printer {
  event(e: DemoEvent): void;
  result(r: DemoResult): void;
  stop(): void;
}

function jsonPrinter(): Printer {
  const line = (o: object): boolean => process.stdout.write(`${JSON.stringify(o)}\n`);
  return {
    event: (e) => line(e),
    result: (r) => line({ type: 'result', dir: r.dir, report: r.reportPath, metrics: r.metrics, ratios: r.ratios, secureAggregation: r.network.secureAggregation, dpEpsilon: r.dp?.epsilon ?? null, optimization: r.optimization.rows, optimizationSummary: optimizationSummary(r.optimization.rows), ...(r.charge === undefined ? {} : { charge: r.charge.rows, chargeSummary: chargeSummary(r.charge) }), elapsedS: r.elapsedS }),
    stop: () => {},
  };
}

function textPrinter(quiet: boolean): Printer {
  const say = (text: string): void => {
    if (!quiet) process.stdout.write(`${text}\n`);
  };
  let bar: Progress | undefined;
  const endBar = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    event(e) {
      switch (e.type) {
        case 'step':
          endBar();
          say(`\n[${e.step}/6] ${e.title}`);
          return;
        case 'plants':
          for (const p of e.plants) say(`  ${p.plantId}: ${p.rows} rows → ${p.trainRows} train / ${p.testRows} test samples`);
          say(`  features: ${e.features}\n  files: ${e.dir}`);
          return;
        case 'enrolled':
          say(`  enrolled ${e.plantId}`);
          return;
        case 'listening':
          say(`  coordinator on 127.0.0.1:${e.port}; secure aggregation ${e.secureAggregation ? 'on (SecAgg+, plants refuse plaintext)' : 'off'}`);
          return;
        case 'round':
          bar ??= createProgress(e.rounds, { label: '  rounds', unit: 'rounds', quiet });
          bar.update(e.round, `global MSE ${fmt(e.mse)}, R² ${fmt(e.r2)}`);
          // Without a terminal (logs, CI) a line per tenth of the run instead of a bar.
          if (!bar.enabled && (e.round === 1 || e.round === e.rounds || e.round % Math.max(1, Math.round(e.rounds / 10)) === 0)) {
            say(`  round ${e.round}/${e.rounds}: global MSE ${fmt(e.mse)}, R² ${fmt(e.r2)} (${(e.durationMs / 1000).toFixed(1)} s)`);
          }
          return;
        case 'trained':
          say(`  trained ${e.method}`);
          return;
        case 'progress':
          bar ??= createProgress(e.total, { label: `  ${e.what}`, unit: e.what.split(' ').pop(), quiet });
          bar.update(e.done, e.label);
          if (!bar.enabled && e.done === e.total) say(`  ${e.what}: ${e.done}/${e.total} done`);
          return;
        case 'metrics':
          endBar();
          say(metricsTable(e.rows));
          return;
        case 'optimized':
          endBar();
          if (e.outcome.skipped !== undefined) say(`  ${e.outcome.skipped}`);
          else say(optimizationTable(e.outcome.rows));
          for (const u of e.outcome.unreachable ?? []) say(`  ${u.plantId}: not scored — ${u.reason}`);
          return;
        case 'charged':
          endBar();
          say(chargeTable(e.outcome));
          return;
        case 'report':
          return;
      }
    },
    result(r) {
      for (const x of r.ratios) {
        say(`  ${x.plantId}: test MSE federated/local ${x.federatedOverLocal.toFixed(3)}, federated/centralized ${x.federatedOverCentralized.toFixed(3)}, federated+finetune/local ${x.fineTunedOverLocal.toFixed(3)}`);
      }
      const mse = (plantId: string, method: string): number => r.metrics.find((m) => m.plantId === plantId && m.method === method)?.mse ?? Number.NaN;
      if (r.surfaces !== undefined) {
        for (const p of r.prepared.plants) say(`  ${p.plantId}: test MSE federated RS/local RS ${(mse(p.plantId, 'federated RS') / mse(p.plantId, 'local RS')).toFixed(3)}`);
      }
      if (r.dp !== undefined) say(`  federated + DP: ε = ${r.dp.epsilon.toFixed(2)} at δ = ${r.dp.delta} after ${r.dp.rounds} rounds`);
      if (r.charge !== undefined) for (const line of chargeSummary(r.charge)) say(`  ${line}`);
      for (const line of optimizationSummary(r.optimization.rows)) say(`  ${line}`);
      say(`  done in ${r.elapsedS.toFixed(0)} s`);
      process.stdout.write(`${quiet ? '' : '\nreport: '}${r.reportPath}\n`);
    },
    stop: endBar,
  };
}

function metricsTable(rows: DemoEvent & { type: 'metrics' } extends { rows: infer R } ? R : never): string {
  const header = `  ${'plant'.padEnd(9)} ${'method'.padEnd(18)} ${'MSE'.padStart(9)} ${'RMSE'.padStart(9)} ${'R²'.padStart(8)}`;
  const lines = rows.map((m) => `  ${m.plantId.padEnd(9)} ${m.method.padEnd(18)} ${fmt(m.mse).padStart(9)} ${fmt(m.rmse).padStart(9)} ${m.r2.toFixed(3).padStart(8)}`);
  return ['', header, ...lines].join('\n');
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** One line per plant and model: what the plant runs, the true outcome, the regret and the limits (and open loop). */
function optimizationTable(rows: readonly OptimizationRow[]): string {
  const header = `  ${'plant'.padEnd(9)} ${'model'.padEnd(18)} ${'implemented setpoints'.padEnd(34)} ${'true profit'.padStart(11)} ${'optimum'.padStart(8)} ${'regret'.padStart(7)}  limits on the true plant`;
  const lines = rows.map((r) => {
    if (r.status === 'infeasible') return `  ${r.plantId.padEnd(9)} ${r.model.padEnd(18)} no recommendation: the model finds no point meeting the limits in its trust region`;
    const at = Object.entries(r.implemented).filter(([k]) => !k.includes('(controller)')).map(([k, v]) => `${k.split('_')[0]}${k.endsWith('setpoint') ? '_sp' : ''} ${v.toPrecision(4)}`).join(', ');
    const limits = r.trueFeasible ? 'met' : r.limits.filter((l) => l.violation > 0).map((l) => `${l.name} VIOLATED by ${l.violation.toPrecision(2)}`).join('; ');
    const open = r.openLoop === undefined ? '' : `  (open loop: ${r.openLoop.regretPercent.toFixed(1)}%${r.openLoop.trueFeasible ? '' : `, ${r.openLoop.limits.filter((l) => l.violation > 0).map((l) => `${l.name.split(' ')[0]} off by ${l.violation.toPrecision(2)}`).join(', ')}`})`;
    return `  ${r.plantId.padEnd(9)} ${r.model.padEnd(18)} ${at.padEnd(34)} ${r.trueProfit.toFixed(2).padStart(11)} ${r.optimalProfit.toFixed(2).padStart(8)} ${`${r.regretPercent.toFixed(1)}%`.padStart(7)}  ${limits}${open}`;
  });
  return ['', header, ...lines].join('\n');
}

/** One line per shop and model: cost gap to the exact optimum and the spec on the true simulator. */
function chargeTable(outcome: ChargeOutcome): string {
  const header = `  ${'shop'.padEnd(9)} ${'model'.padEnd(10)} ${'true cost $'.padStart(11)} ${'exact $'.padStart(9)} ${'gap'.padStart(7)}  spec on the true simulator`;
  const lines = outcome.rows.map((r) =>
    r.status === 'infeasible'
      ? `  ${r.plantId.padEnd(9)} ${r.method.padEnd(10)} no charge: the model finds none meeting the spec with its grades (binding: ${r.infeasibleConstraint || 'unknown'})`
      : `  ${r.plantId.padEnd(9)} ${r.method.padEnd(10)} ${r.trueCostUsd.toFixed(0).padStart(11)} ${r.exactCostUsd.toFixed(0).padStart(9)} ${`${r.costGapPercent.toFixed(2)}%`.padStart(7)}  ${r.violations.length === 0 ? 'met' : `VIOLATED: ${r.violations.join('; ')}`}`,
  );
  return ['', header, ...lines].join('\n');
}

/** `crucible demo --select`: the validation table behind the defaults. */
async function selectCommand(flags: DemoFlags): Promise<void> {
  const dir = resolve(flags.out, flags.run ?? `${flags.scenario}-${flags.seed}-select`);
  const prepared = await preparePlants({ scenario: flags.scenario, preset: flags.preset, seed: flags.seed, dir, samples: flags.samples, debutanizerFile: flags.dataFile });
  let bar: Progress | undefined;
  const report = await selectDemoSettings(prepared, {
    seed: flags.seed,
    onProgress: (done, total, label) => {
      bar ??= createProgress(total, { label: '  candidates', unit: 'trainings', quiet: flags.quiet, json: flags.json });
      bar.update(done, label);
    },
  });
  bar?.stop();
  await writeFileAtomic(join(dir, 'selection.json'), [`${JSON.stringify(report, null, 2)}\n`]);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ type: 'selection', ...report })}\n`);
    return;
  }
  if (!flags.quiet) process.stdout.write(`${selectionTable(report)}\n`);
  process.stdout.write(`${flags.quiet ? '' : 'selection: '}${join(dir, 'selection.json')}\n`);
}

function selectionTable(report: SelectionReport): string {
  const plants = Object.keys(report.rows[0]?.perPlant ?? {});
  const header = `  ${'method'.padEnd(20)} ${'hidden'.padEnd(7)} ${'epochs/rounds'.padStart(13)} ${plants.map((p) => p.padStart(9)).join(' ')} ${'mean'.padStart(9)}`;
  const lines = report.rows.map((r) => `  ${r.method.padEnd(20)} ${r.hidden.join('×').padEnd(7)} ${String(r.setting).padStart(13)} ${plants.map((p) => fmt(r.perPlant[p]).padStart(9)).join(' ')} ${fmt(r.mean).padStart(9)}`);
  const c = report.chosen;
  return ['', '  validation MSE (standardised targets; last quarter of each training block)', header, ...lines, '',
    `  chosen: hidden ${c.hidden.join('×')}, ${c.federatedRounds} federated rounds, local-only ${c.localEpochs} epochs, centralized ${c.centralizedEpochs} epochs, fine-tuning ${c.fineTuneEpochs} epochs`].join('\n');
}
