/**
 * `crucible simulate --process <name> --plants N --seed S --out DIR`: writes one CSV + schema per
 * simulated plant and a manifest, with a progress bar. Wiring only: the work is
 * `writeSimulatedPlants` in data/.
 *
 * @example
 * program.addCommand(simulateCommand());
 * // crucible simulate --process cstr --plants 3 --seed 7 --out plants/
 */
import { Command } from 'commander';
import { integer } from './arguments.js';
import { writeSimulatedPlants } from '../data/simulate.js';
import { withProgress } from './progress.js';

interface SimulateFlags {
  process: string;
  plants: number;
  seed: number;
  out: string;
  preset?: string;
  samples?: number;
  quiet?: boolean;
  json?: boolean;
}

/** The `simulate` command. */
export function simulateCommand(): Command {
  return new Command('simulate')
    .description('simulate heterogeneous plants: one CSV + schema per plant and a manifest.json in DIR')
    .requiredOption('--process <name>', 'simulator: cstr (van de Vusse), williams-otto or eaf')
    .option('--plants <n>', 'number of plants', integer(1), 3)
    .option('--seed <s>', 'seed of plant configurations and data', integer(0), 0)
    .requiredOption('--out <dir>', 'output folder')
    .option('--preset <name>', "named plant set: 'arxiv-2604.26073' (three plants of one process), 'strongly-heterogeneous' (three very different plants) or 'homogeneous'")
    .option('--samples <n>', "samples per plant (default: each plant's own count)", integer(1))
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print the manifest as JSON on stdout')
    .action(async (flags: SimulateFlags) => {
      const manifest = await withProgress(
        flags.preset === 'arxiv-2604.26073' || flags.preset === 'strongly-heterogeneous' ? 3 : flags.plants,
        { label: `simulating ${flags.process}`, unit: 'plants', quiet: flags.quiet, json: flags.json },
        (bar) =>
          writeSimulatedPlants({
            process: flags.process,
            plants: flags.plants,
            seed: flags.seed,
            out: flags.out,
            preset: flags.preset,
            samples: flags.samples,
            onPlant: (entry, _index, total) => {
              bar.setTotal(total);
              bar.tick(1, entry.id);
            },
          }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      } else if (!flags.quiet) {
        for (const p of manifest.plants) process.stdout.write(`${p.id}: ${p.rows} rows → ${p.data}, ${p.schema}\n`);
        process.stdout.write(`manifest: ${flags.out.replace(/\/$/, '')}/manifest.json\n`);
      }
    });
}
