/**
 * `crucible optimize --model M --problem P.yaml`: recommends setpoints with a trained process model,
 * prints the recommendation with its predicted outcome (and, with `--truth manifest.json --plant ID`
 * for a simulated plant, the true simulator's), and writes it as JSON. Subcommands: `study` (the
 * Williams–Otto federated-vs-local study), `charge` and `eaf-study` (EAF charge optimization, in
 * optimize-charge.ts). Wiring only: the work is in optimize/ and study/.
 */
import { Command } from 'commander';
import { loadProcessModel } from '../nn/save.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import { optimizeSetpoints, type SetpointResult } from '../optimize/setpoint.js';
import { optimizeSequentialLp } from '../optimize/sequential-lp.js';
import { writeFileAtomic } from '../data/write.js';
import { optimizationStudySeeds, studyMethods, type StudyMethod, type StudyRow, type StudySummary } from '../study/optimization-study.js';
import { evaluateOnTruth, trueOutcome, type TrueEvaluation } from '../study/true-outcome.js';
import { sameProcessFleet, validationFleet } from '../study/williams-otto-fleet.js';
import { integer, oneOf } from './arguments.js';
import { chargeCommand, eafStudyCommand } from './optimize-charge.js';
import { fmt, readDataFile, seedList, simulatedPlant, table } from './optimize-common.js';

interface OptimizeFlags {
  model: string;
  problem: string;
  truth?: string;
  plant?: string;
  out?: string;
  starts: number;
  seed: number;
  method: 'gradient' | 'nelder-mead' | 'sequential-lp';
  json?: boolean;
  quiet?: boolean;
}

/** The recommendation as lines a person reads. */
export function describeRecommendation(r: SetpointResult, truth?: { outputs: Record<string, number>; evaluation: TrueEvaluation }): string {
  const lines = ['Recommended setpoints:'];
  for (const [k, v] of Object.entries(r.variables)) lines.push(`  ${k} = ${fmt(v)}${r.activeBounds.includes(k) ? '   (at its bound)' : ''}`);
  lines.push(`Objective: predicted ${fmt(r.objective)}${truth ? `, true ${fmt(truth.evaluation.objective)}` : ''}`);
  lines.push(truth ? 'Outputs (predicted ± sd | true):' : 'Predicted outputs:');
  for (const [k, v] of Object.entries(r.predicted)) {
    const sd = r.uncertainty ? ` ± ${fmt(r.uncertainty[k])}` : '';
    lines.push(`  ${k} = ${fmt(v)}${sd}${truth && k in truth.outputs ? `   | ${fmt(truth.outputs[k])}` : ''}`);
  }
  if (r.constraints.length > 0) {
    lines.push('Constraints (lhs − rhs on the model, with any chance back-off; ≤ 0 is met):');
    r.constraints.forEach((c, i) => {
      const t = truth?.evaluation.constraints[i];
      lines.push(`  ${c.name}: ${fmt(c.value)}${c.active ? '   active' : ''}${c.confidence ? `   (confidence ${c.confidence})` : ''}${t ? `   | true ${fmt(t.value)} ${t.met ? 'met' : 'VIOLATED'}` : ''}`);
    });
  }
  lines.push(`KKT residual ${fmt(r.kktResidual)}, ${r.starts} starts, ${r.evaluations} model evaluations (${r.method})`);
  if (r.mahalanobis !== undefined) lines.push(`Mahalanobis distance from the training data: ${fmt(r.mahalanobis)}`);
  return lines.join('\n');
}

/** The study's rows as a table. */
export function describeStudy(rows: readonly StudyRow[]): string {
  return table(
    ['seed', 'plant', 'model', 'F_B kg/s', 'T_R °C', 'true profit $/s', 'optimum $/s', 'regret %', 'violation', 'xG pred ± sd | true'],
    rows.map((r) =>
      r.status === 'infeasible'
        ? [String(r.seed), r.plantId, r.method, '—', '—', 'model says infeasible', fmt(r.optimalProfit), '—', '—', '—']
        : [String(r.seed), r.plantId, r.method, r.feedB.toFixed(3), r.temperatureC.toFixed(2), r.trueProfit.toFixed(2), r.optimalProfit.toFixed(2), r.regretPercent.toFixed(2), r.violation.toExponential(1),
          `${r.xG.predicted.toFixed(4)} ± ${r.xG.sd.toFixed(4)} | ${r.xG.true.toFixed(4)}`],
    ),
  );
}

/** The per-plant, per-method summary over seeds as a table. */
export function describeStudySummary(summary: readonly StudySummary[]): string {
  return table(
    ['plant', 'model', 'seeds', 'mean regret %', 'max regret %', 'violations', 'infeasible', '≤ 2 % & feasible'],
    summary.map((s) => [s.plantId, s.method, String(s.seeds), s.meanRegretPercent.toFixed(2), s.maxRegretPercent.toFixed(2), String(s.violations), String(s.infeasible), `${s.met}/${s.seeds}`]),
  );
}

/** The `optimize` command (with its subcommands). */
export function optimizeCommand(): Command {
  const command = new Command('optimize')
    .description('recommend setpoints with a trained process model under bounds and constraints')
    .option('--model <file>', 'process model file (from training; crucible-process-model/1 JSON)')
    .option('--problem <file>', 'optimization problem (YAML or JSON): variables, context, objective, constraints')
    .option('--truth <manifest>', 'the crucible simulate manifest of a simulated plant: also print and write the true outcome')
    .option('--plant <id>', 'which plant of the --truth manifest')
    .option('--out <file>', 'write the recommendation as JSON here')
    .option('--starts <n>', 'number of starting points', integer(1), 8)
    .option('--seed <s>', 'seed of the random starts', integer(0), 0)
    .option('--method <m>', 'gradient (augmented Lagrangian + L-BFGS), nelder-mead, or sequential-lp (HiGHS)', oneOf(['gradient', 'nelder-mead', 'sequential-lp'] as const), 'gradient')
    .option('--json', 'print the recommendation as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Problem file example (Williams–Otto):
  variables: { FB_kg_per_s: { min: 3, max: 6 }, TR_degC: { min: 70, max: 100 } }
  context: { FA: 1.8275 }
  objective: { maximize: "(FA + FB_kg_per_s) * (1143.38 * xP + 25.92 * xE) - 76.23 * FA - 114.34 * FB_kg_per_s" }
  constraints: ["xA <= 0.12", { expression: "xG <= 0.08", confidence: 0.975 }]   # confidence: a chance constraint (needs a model with uncertainty)

Examples:
  crucible optimize --model out/run-1/federated.model.json --problem problem.yaml --out best.json
  crucible optimize --model m.json --problem p.yaml --truth plants/manifest.json --plant plant-a
  crucible optimize study --seeds 1-5
  crucible optimize charge --model plant-a.charge-model.json --spec rebar.yaml --plant-config plants/manifest.json --plant plant-a
  crucible optimize eaf-study --seeds 1-3 --svg pareto.svg

Exit codes: 0 recommendation found; 2 infeasible (the message names the binding constraint); 64 bad input.`,
    )
    .action(async (flags: OptimizeFlags) => {
      if (flags.model === undefined || flags.problem === undefined) {
        throw new RangeError("optimize: both --model <file> and --problem <file> are required (or run 'crucible optimize study')");
      }
      const model = await loadProcessModel(flags.model);
      const problem = parseSetpointProblem(await readDataFile(flags.problem, 'problem file'), flags.problem);
      const plant = flags.truth === undefined ? undefined : await simulatedPlant(flags.truth, flags.plant);
      const result =
        flags.method === 'sequential-lp'
          ? await optimizeSequentialLp(problem, model)
          : optimizeSetpoints(problem, model, { starts: flags.starts, seed: flags.seed, method: flags.method });
      let truth: { outputs: Record<string, number>; evaluation: TrueEvaluation } | undefined;
      if (plant !== undefined) {
        const outputs = trueOutcome(plant.process, plant.config, result.inputs);
        truth = { outputs, evaluation: evaluateOnTruth(problem, { ...result.inputs, ...outputs }) };
      }
      const json = JSON.stringify({ model: flags.model, problem: flags.problem, ...result, ...(truth ? { truth: { plant: plant!.plantId, ...truth } } : {}) }, null, 2);
      if (flags.out !== undefined) await writeFileAtomic(flags.out, [json, '\n']);
      if (flags.json) process.stdout.write(`${json}\n`);
      else if (!flags.quiet) process.stdout.write(`${describeRecommendation(result, truth)}\n${flags.out ? `written: ${flags.out}\n` : ''}`);
    });
  command
    .command('study')
    .description('Williams–Otto: optimize each simulated plant on local-only, federated and centralized models and score on its true simulator')
    .option('--seeds <list>', "seeds of plants' data, training and starts, e.g. '1-5'", seedList, [1, 2, 3, 4, 5])
    .option('--fleet <name>', "'reported' (the study's plants) or 'validation' (other kinetics, for choosing settings)", oneOf(['reported', 'validation'] as const), 'reported')
    .option('--methods <list>', `comma-separated subset of ${studyMethods.join(', ')}`, (t: string) => t.split(',').map((m) => oneOf(studyMethods)(m.trim())))
    .option('--json', 'print rows and summary as JSON')
    .action(async (flags: { seeds: number[]; fleet: 'reported' | 'validation'; methods?: StudyMethod[]; json?: boolean }) => {
      const plants = flags.fleet === 'validation' ? validationFleet() : sameProcessFleet();
      const { rows, summary } = await optimizationStudySeeds(flags.seeds, { plants, methods: flags.methods, onProgress: (s) => (flags.json ? undefined : process.stderr.write(`trained ${s}\n`)) });
      process.stdout.write(flags.json ? `${JSON.stringify({ rows, summary }, null, 2)}\n` : `${describeStudy(rows)}\n\n${describeStudySummary(summary)}\n`);
    });
  command.addCommand(chargeCommand());
  command.addCommand(eafStudyCommand());
  // Subcommand options are their own (optimize has a --model too), and their usage errors throw like the parent's.
  command.enablePositionalOptions();
  for (const sub of command.commands) sub.exitOverride();
  return command;
}
