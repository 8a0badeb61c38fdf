/**
 * `crucible optimize --model M --problem P.yaml`: recommends setpoints with a trained process model,
 * prints the recommendation with its predicted outcome (and, with `--truth`, the true simulator's),
 * and writes it as JSON. `crucible optimize study`: the federated-vs-local optimization study on
 * simulated Williams–Otto plants. Wiring only: the work is in optimize/ and study/.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import YAML from 'yaml';
import { loadProcessModel } from '../nn/save.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import { optimizeSetpoints, type SetpointResult } from '../optimize/setpoint.js';
import { writeFileAtomic } from '../data/write.js';
import { optimizationStudy, type StudyRow } from '../study/optimization-study.js';
import { integer, oneOf } from './arguments.js';

interface OptimizeFlags {
  model: string;
  problem: string;
  out?: string;
  starts: number;
  seed: number;
  method: 'gradient' | 'nelder-mead';
  json?: boolean;
  quiet?: boolean;
}

const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v));

/** The recommendation as lines a person reads. */
export function describeRecommendation(r: SetpointResult): string {
  const lines = ['Recommended setpoints:'];
  for (const [k, v] of Object.entries(r.variables)) lines.push(`  ${k} = ${fmt(v)}${r.activeBounds.includes(k) ? '   (at its bound)' : ''}`);
  lines.push(`Objective (predicted): ${fmt(r.objective)}`);
  lines.push('Predicted outputs:');
  for (const [k, v] of Object.entries(r.predicted)) lines.push(`  ${k} = ${fmt(v)}${r.uncertainty ? ` ± ${fmt(r.uncertainty[k])}` : ''}`);
  if (r.constraints.length > 0) {
    lines.push('Constraints (lhs − rhs; ≤ 0 is met):');
    for (const c of r.constraints) lines.push(`  ${c.name}: ${fmt(c.value)}${c.active ? '   active' : ''}`);
  }
  lines.push(`KKT residual ${fmt(r.kktResidual)}, ${r.starts} starts, ${r.evaluations} model evaluations (${r.method})`);
  if (r.mahalanobis !== undefined) lines.push(`Mahalanobis distance from the training data: ${fmt(r.mahalanobis)}`);
  return lines.join('\n');
}

/** The study's table as text. */
export function describeStudy(rows: readonly StudyRow[]): string {
  const head = ['plant', 'model', 'F_B kg/s', 'T_R °C', 'true profit $/s', 'optimum $/s', 'regret %', 'violation'];
  const body = rows.map((r) =>
    r.status === 'infeasible'
      ? [r.plantId, r.method, '—', '—', 'model says infeasible', fmt(r.optimalProfit), '—', '—']
      : [r.plantId, r.method, r.feedB.toFixed(3), r.temperatureC.toFixed(2), r.trueProfit.toFixed(2), r.optimalProfit.toFixed(2), r.regretPercent.toFixed(2), r.violation.toExponential(1)],
  );
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => c.padEnd(widths[j])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The `optimize` command (with its `study` subcommand). */
export function optimizeCommand(): Command {
  const command = new Command('optimize')
    .description('recommend setpoints with a trained process model under bounds and constraints')
    .option('--model <file>', 'process model file (from training; crucible-process-model/1 JSON)')
    .option('--problem <file>', 'optimization problem (YAML or JSON): variables, context, objective, constraints')
    .option('--out <file>', 'write the recommendation as JSON here')
    .option('--starts <n>', 'number of starting points', integer(1), 8)
    .option('--seed <s>', 'seed of the random starts', integer(0), 0)
    .option('--method <m>', 'gradient (augmented Lagrangian + L-BFGS) or nelder-mead', oneOf(['gradient', 'nelder-mead'] as const), 'gradient')
    .option('--json', 'print the recommendation as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `
Problem file example (Williams–Otto):
  variables: { FB_kg_per_s: { min: 3, max: 6 }, TR_degC: { min: 70, max: 100 } }
  context: { FA: 1.8275 }
  objective: { maximize: "(FA + FB_kg_per_s) * (1143.38 * xP + 25.92 * xE) - 76.23 * FA - 114.34 * FB_kg_per_s" }
  constraints: ["xA <= 0.12", "xG <= 0.08"]

Examples:
  crucible optimize --model out/run-1/federated.model.json --problem problem.yaml --out best.json
  crucible optimize study --seed 1

Exit codes: 0 recommendation found; 2 infeasible (the message names the binding constraint); 64 bad input.`,
    )
    .action(async (flags: OptimizeFlags) => {
      if (flags.model === undefined || flags.problem === undefined) {
        throw new RangeError("optimize: both --model <file> and --problem <file> are required (or run 'crucible optimize study')");
      }
      const model = await loadProcessModel(flags.model);
      let text: string;
      try {
        text = await readFile(flags.problem, 'utf8');
      } catch (e) {
        throw new RangeError(`Cannot read problem file '${flags.problem}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      let raw: unknown;
      try {
        raw = YAML.parse(text);
      } catch (e) {
        throw new SyntaxError(`${flags.problem}: not valid YAML/JSON (${(e as Error).message})`);
      }
      const problem = parseSetpointProblem(raw, flags.problem);
      const result = optimizeSetpoints(problem, model, { starts: flags.starts, seed: flags.seed, method: flags.method });
      const json = JSON.stringify({ model: flags.model, problem: flags.problem, ...result }, null, 2);
      if (flags.out !== undefined) await writeFileAtomic(flags.out, [json, '\n']);
      if (flags.json) process.stdout.write(`${json}\n`);
      else if (!flags.quiet) process.stdout.write(`${describeRecommendation(result)}\n${flags.out ? `written: ${flags.out}\n` : ''}`);
    });
  command
    .command('study')
    .description('federated vs local-only vs centralized models: optimize each simulated Williams–Otto plant and score on its true simulator')
    .option('--seed <s>', 'seed of plants, training and starts', integer(0), 1)
    .option('--json', 'print the rows as JSON')
    .action(async (flags: { seed: number; json?: boolean }) => {
      const rows = await optimizationStudy({ seed: flags.seed, onProgress: (s) => (flags.json ? undefined : process.stderr.write(`trained ${s}\n`)) });
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${describeStudy(rows)}\n`);
    });
  return command;
}
