/**
 * `crucible plant --config plant.yaml [--data file.csv --schema schema.yaml]`: connects this plant to
 * its coordinator (outbound only) and answers tasks until stopped; reconnects on its own. Wiring
 * only: the work is `startPlant` in transport/.
 *
 * @example
 * program.addCommand(plantCommand());
 * // crucible plant --config plant.yaml --data plant-1.csv --schema plant-1.schema.yaml
 */
import { Command } from 'commander';
import { CrucibleError } from '../errors.js';
import { plantConfigSchema, readConfigFile } from '../transport/config.js';
import type { PlantConnectionEvent } from '../transport/plantConnection.js';
import { startPlant } from '../transport/plantRuntime.js';

interface PlantFlags {
  config: string;
  data?: string;
  schema?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The `plant` command. */
export function plantCommand(): Command {
  return new Command('plant')
    .description("run a plant: train on local data when the coordinator asks; only updates leave, never rows")
    .requiredOption('--config <file>', 'plant.yaml (coordinator address, token and TLS files, model, data)')
    .option('--data <file.csv>', "the plant's data (overrides data: in the config; needs --schema)")
    .option('--schema <schema.yaml>', 'schema of --data')
    .option('--json', 'print one JSON object per line')
    .option('--quiet', 'print only errors')
    .addHelpText(
      'after',
      `
Examples:
  crucible plant --config plant.yaml
  crucible plant --config plant.yaml --data plant-1.csv --schema plant-1.schema.yaml

plant.yaml:
  coordinator: coordinator.example.com:7443
  token: creds/token
  tls: { ca: creds/ca.pem, cert: creds/plant.pem, key: creds/plant-key.pem }
  model: { widths: [4, 32, 1], activation: tanh, seed: 1 }   # same as the coordinator's
  data: { kind: csv, file: plant-1.csv, schema: plant-1.schema.yaml }
  secureAggregation: { required: true }   # refuse to send an update in the clear

Exit codes: 0 stopped (SIGINT/SIGTERM) after the run; 78 CONFIG_INVALID (a key of plant.yaml, named);
65 DATA_INVALID (file, row, column named); 77 PLANT_UNAUTHENTICATED / PLANT_REVOKED / SECAGG_REQUIRED;
64 usage error; the full table is in docs/cli.md.`,
    )
    .action(async (flags: PlantFlags) => {
      if ((flags.data === undefined) !== (flags.schema === undefined)) {
        throw new CrucibleError('CONFIG_INVALID', '--data and --schema go together: give both or neither');
      }
      const config = await readConfigFile(flags.config, plantConfigSchema);
      const out = (line: string, json: object): void => {
        if (!flags.quiet) process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${line}\n`);
      };
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let refused: PlantConnectionEvent | undefined;
      const plant = await startPlant(config, {
        configPath: flags.config,
        data: flags.data === undefined ? undefined : { file: flags.data, schema: flags.schema as string },
        signal: abort.signal,
        onEvent: (e) => {
          if (e.type === 'refused') refused = e;
          out(describe(e), e);
        },
      });
      out(`plant '${plant.plantId}': ${plant.numTrainExamples} training examples, connecting to ${config.coordinator}`, {
        type: 'started', plantId: plant.plantId, numTrainExamples: plant.numTrainExamples,
      });
      try {
        await plant.connection.closed;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (refused?.type === 'refused') {
        throw new CrucibleError(refused.code === 'PLANT_REVOKED' ? 'PLANT_REVOKED' : 'PLANT_UNAUTHENTICATED', `the coordinator refused this plant: ${refused.message}`);
      }
    });
}

function describe(e: PlantConnectionEvent): string {
  switch (e.type) {
    case 'registered':
      return `registered as '${e.plantId}'`;
    case 'disconnected':
      return `disconnected (${e.reason}); retrying in ${e.retryInMs} ms`;
    case 'refused':
      return `refused by the coordinator: ${e.code}: ${e.message}`;
    case 'task-received':
      return `round ${e.round}: ${e.kind} task`;
    case 'result-submitted':
      return `round ${e.round}: ${e.kind} result ${e.ok ? 'sent' : 'sent (as a failure)'}`;
    case 'result-rejected':
      return `round ${e.round}: ${e.kind} result rejected: ${e.code}: ${e.message}`;
  }
}
