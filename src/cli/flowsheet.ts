/**
 * `crucible flowsheet evaluate|check|simulate`: the cumene experiment table (surrogate flowsheet,
 * four tear solvers, before and after fine-tuning through the unrolled solver), validation of a
 * flowsheet YAML with its tear streams, and per-unit steady-state data. Wiring only: the work is in
 * flowsheet/.
 *
 * @example
 * program.addCommand(flowsheetCommand());
 * // crucible flowsheet evaluate --fast --out result.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { generateCumeneData } from '../flowsheet/cumene/data.js';
import {
  type CumeneExperimentOptions,
  fastCumeneExperiment,
  formatExperimentTable,
  fullCumeneExperiment,
  runCumeneExperiment,
  solverRows,
  worstUnitR2Drop,
} from '../flowsheet/experiment.js';
import { Flowsheet } from '../flowsheet/flowsheet.js';
import { planTears } from '../flowsheet/tearing.js';

function positiveInt(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`expected a positive integer, got '${text}'`);
  return v;
}

interface EvaluateFlags {
  fast?: boolean;
  plants?: number;
  seed?: number;
  trainCases?: number;
  testCases?: number;
  steps?: number;
  out?: string;
  quiet?: boolean;
  scenario: 'nominal' | 'tight-recycle';
  hidden?: number[];
}

function scenarioName(text: string): 'nominal' | 'tight-recycle' {
  if (text !== 'nominal' && text !== 'tight-recycle') throw new InvalidArgumentError(`expected 'nominal' or 'tight-recycle', got '${text}'`);
  return text;
}

function widths(text: string): number[] {
  const v = text.split(',').map(Number);
  if (v.some((w) => !Number.isInteger(w) || w <= 0)) throw new InvalidArgumentError(`expected widths like 24,24, got '${text}'`);
  return v;
}

function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('train unit surrogates of the cumene plant, evaluate DS/Wegstein/Newton/Broyden on held-out operating points, fine-tune through the unrolled solver, evaluate again')
    .option('--fast', 'the small test-sized variant (under a minute)')
    .option('--plants <n>', 'train unit models by FedAvg across n plants, each with its own data', positiveInt)
    .option('--seed <n>', 'seed of data, weights and fine-tuning', positiveInt)
    .option('--train-cases <n>', 'training operating points (per plant)', positiveInt)
    .option('--test-cases <n>', 'held-out operating points', positiveInt)
    .option('--steps <n>', 'fine-tuning steps', positiveInt)
    .option('--hidden <widths>', 'hidden widths of each unit MLP, e.g. 16 or 24,24', widths)
    .option('--scenario <name>', "'tight-recycle' (more benzene round the transalkylator, less DIPB converted per pass) or 'nominal'", scenarioName, 'tight-recycle')
    .option('--out <file>', 'also write the full result (table data, unit R², timings) as JSON')
    .option('--quiet', 'print only the table')
    .action(async (flags: EvaluateFlags) => {
      const base = flags.fast ? fastCumeneExperiment : fullCumeneExperiment;
      const options: CumeneExperimentOptions = {
        ...base,
        seed: flags.seed ?? base.seed,
        trainCases: flags.trainCases ?? base.trainCases,
        testCases: flags.testCases ?? base.testCases,
        fineTune: { ...base.fineTune, steps: flags.steps ?? base.fineTune.steps },
        surrogate: { ...base.surrogate, hidden: flags.hidden ?? base.surrogate.hidden },
        scenario: flags.scenario,
        federation: flags.plants !== undefined && flags.plants > 1 ? { plants: flags.plants, rounds: 100, localEpochs: 5, fineTuneRounds: 4 } : undefined,
      };
      const result = await runCumeneExperiment(options, (stage) => {
        if (!flags.quiet) process.stderr.write(`${stage}…\n`);
      });
      process.stdout.write(`${formatExperimentTable(result)}\n`);
      if (flags.out !== undefined) {
        const data = { options: result.options, solvers: solverRows(result), before: result.before, after: result.after, worstUnitR2Drop: worstUnitR2Drop(result), timingsMs: result.timingsMs };
        writeFileSync(flags.out, `${JSON.stringify(data, null, 2)}\n`);
        if (!flags.quiet) process.stderr.write(`wrote ${flags.out}\n`);
      }
    });
}

function checkCommand(): Command {
  return new Command('check')
    .description('validate a flowsheet YAML and print its recycles, tear streams and calculation order')
    .argument('<file>', 'flowsheet YAML (components, units, streams)')
    .action((file: string) => {
      const flowsheet = Flowsheet.from(readFileSync(file, 'utf8'), file);
      const plan = planTears(flowsheet.units.length, flowsheet.edges());
      const streamName = (s: number): string => flowsheet.streams[s].name;
      process.stdout.write(
        `${file}: ${flowsheet.units.length} units, ${flowsheet.streams.length} streams, ${plan.loops.length} recycle loops\n` +
          `tear streams: ${plan.tears.map(streamName).join(', ') || '(none)'} (each loop torn at most ${plan.maxTearsPerLoop}×)\n` +
          `order: ${plan.order.map((u) => flowsheet.units[u].name).join(' → ')}\n`,
      );
    });
}

function simulateCommand(): Command {
  return new Command('simulate')
    .description('simulate the first-principles cumene plant over randomized operating points; write per-unit steady-state data as JSON')
    .requiredOption('--out <file>', 'output JSON: { units: { R1: { inputs: [[…]], outputs: [[…]] }, … }, products, conditions }')
    .option('--cases <n>', 'operating points', positiveInt, 200)
    .option('--seed <n>', 'seed', positiveInt, 1)
    .action((flags: { out: string; cases: number; seed: number }) => {
      const data = generateCumeneData({ cases: flags.cases, seed: flags.seed, spread: 0.3 });
      const units = Object.fromEntries(Object.entries(data.units).map(([k, u]) => [k, { inputs: u.inputs.toArray(), outputs: u.outputs.toArray() }]));
      const products = Object.fromEntries(Object.entries(data.products).map(([k, t]) => [k, t.toArray()]));
      writeFileSync(flags.out, `${JSON.stringify({ conditions: data.conditions, units, products })}\n`);
      process.stdout.write(`wrote ${flags.cases} steady states of ${Object.keys(units).length} units to ${flags.out}\n`);
    });
}

/** The `flowsheet` command group. */
export function flowsheetCommand(): Command {
  return new Command('flowsheet')
    .description('flowsheets with recycles: tear streams, tear solvers, unit surrogates and fine-tuning through the solver')
    .addCommand(evaluateCommand())
    .addCommand(checkCommand())
    .addCommand(simulateCommand());
}
