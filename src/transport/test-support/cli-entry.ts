/**
 * Test support: the transport's CLI commands as a runnable entry (`node --import tsx cli-entry.ts
 * coordinator --config …`), so tests spawn real coordinator and plant processes before the lead's
 * src/cli/main.ts wires them.
 */
import { Command } from 'commander';
import { coordinatorCommand } from '../../cli/coordinator.js';
import { enrollCommand } from '../../cli/enroll.js';
import { plantCommand } from '../../cli/plant.js';
import { reportCommand } from '../../cli/report.js';
import { reportFailure } from '../../cli/run.js';
import { statusCommand } from '../../cli/status.js';

const program = new Command('crucible').addCommand(coordinatorCommand()).addCommand(plantCommand()).addCommand(enrollCommand()).addCommand(statusCommand()).addCommand(reportCommand());
program.parseAsync(process.argv).then(
  () => process.exit(0),
  (e: unknown) => process.exit(reportFailure(e)),
);
