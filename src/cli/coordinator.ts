/**
 * `crucible coordinator --config federation.yaml`: serves plants over gRPC and runs (or resumes) the
 * federation, one line per round. Wiring only: the work is `startCoordinator` in transport/.
 *
 * @example
 * program.addCommand(coordinatorCommand());
 * // crucible coordinator --config federation.yaml
 */
import { Command, InvalidArgumentError } from 'commander';
import type { ClassificationReport } from '../federation/evaluation.js';
import type { FederationEvent, RoundResult } from '../federation/round-result.js';
import { coordinatorConfigSchema, readConfigFile } from '../transport/config.js';
import { startCoordinator } from '../transport/coordinatorRuntime.js';
import type { TransportLogEntry } from '../transport/grpcGrid.js';
import type { DriftWatchEvent } from '../drift/watch.js';

interface CoordinatorFlags {
  config: string;
  port?: number;
  json?: boolean;
  quiet?: boolean;
}

function port(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || v > 65535) throw new InvalidArgumentError(`expected a port 0-65535, got '${text}'`);
  return v;
}

/** The `coordinator` command. */
export function coordinatorCommand(): Command {
  return new Command('coordinator')
    .description('run the federation coordinator: plants connect to it, it aggregates round by round and checkpoints to SQLite')
    .requiredOption('--config <file>', 'federation.yaml (listen address, TLS files, store, model, strategy, rounds, timeouts)')
    .option('--port <port>', 'override listen.port (0 = any free port, printed at start)', port)
    .option('--json', 'print one JSON object per line (events and rounds)')
    .option('--quiet', 'print only errors')
    .addHelpText(
      'after',
      `
Examples:
  crucible enroll plant-a --out creds/plant-a       # once per plant (creates pki/ and the store)
  crucible coordinator --config federation.yaml      # resumes after the last completed round if restarted

federation.yaml:
  runId: line-7
  listen: { host: 0.0.0.0, port: 7443 }
  store: crucible.db
  tls: { ca: pki/ca.pem, cert: pki/coordinator.pem, key: pki/coordinator-key.pem }
  model: { kind: neural, widths: [4, 32, 1], activation: tanh, seed: 1 }   # or kind: hybrid, or
  # model: { kind: classifier, classes: 3, inputs: 5, hidden: [16], classWeights: balanced }
  strategy: { kind: fedprox, proximalMu: 0.01 }
  secureAggregation: { enabled: true, threshold: 0.6 }   # the coordinator sees only sums
  rounds: 50
  minPlants: 2
  timeouts: { waitForPlantsMs: 600000, fitMs: 120000, evaluateMs: 60000 }

Exit codes: 0 run completed; 78 CONFIG_INVALID (a key of federation.yaml, named); 75 QUORUM_NOT_REACHED
or SECAGG_BELOW_THRESHOLD; 78 CHECKPOINT_MISMATCH; 64 usage error; the full table is in docs/cli.md.`,
    )
    .action(async (flags: CoordinatorFlags) => {
      const config = await readConfigFile(flags.config, coordinatorConfigSchema);
      const out = (line: string, json: object): void => {
        if (flags.quiet) return;
        process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${line}\n`);
      };
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const coordinator = await startCoordinator(config, {
        configPath: flags.config,
        port: flags.port,
        signal: abort.signal,
        log: (e: TransportLogEntry) => {
          if (e.level === 'warn') process.stderr.write(`${flags.json ? JSON.stringify({ type: 'transport', ...e }) : `warning: ${e.code ?? ''} ${e.message}`}\n`);
          else out(e.message, { type: 'transport', ...e });
        },
        onEvent: (e: FederationEvent) => out(describeEvent(e), e),
      });
      try {
        const secure = config.secureAggregation.enabled;
        out(`listening on ${config.listen.host}:${coordinator.port} (run '${config.runId}', ${config.rounds} rounds, store ${config.store}, secure aggregation ${secure ? `on (${config.secureAggregation.variant})` : 'off'})`, {
          type: 'listening', host: config.listen.host, port: coordinator.port, runId: config.runId, secureAggregation: secure,
        });
        for await (const r of coordinator.rounds) out(describeRound(r, config.rounds), roundJson(r));
        out(`run '${config.runId}' ${abort.signal.aborted ? 'stopped' : 'completed'}`, { type: abort.signal.aborted ? 'stopped' : 'completed', runId: config.runId });
        if (coordinator.drift !== undefined && !abort.signal.aborted) {
          out(`watching the plants for drift every ${config.drift!.checkEveryMs} ms`, { type: 'drift-watch', runId: config.runId });
          for await (const e of coordinator.drift) out(describeDrift(e, config.drift!.retrainRounds), driftJson(e));
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await coordinator.close();
      }
    });
}

function describeEvent(e: FederationEvent): string {
  switch (e.type) {
    case 'waiting-for-plants':
      return `round ${e.round}: waiting for plants (${e.connected} of ${e.required} connected)`;
    case 'resumed':
      return `resuming run '${e.runId}' at round ${e.fromRound}`;
    case 'scaling-computed':
      return `feature scaling from ${e.plants} plants, ${e.examples} examples`;
    case 'round-started':
      return `round ${e.round}: started with ${e.selected.join(', ')}`;
    case 'plant-dropped':
      return `round ${e.round}: dropped ${e.plant.plantId} in ${e.plant.stage} (${e.plant.code}: ${e.plant.message})`;
    case 'stragglers-abandoned':
      return `round ${e.round}: stopped waiting for ${e.plantIds.join(', ')} in ${e.stage}`;
  }
}

/** Whether the round's updates were summed by secure aggregation (its fit replies are then replicas of the aggregate). */
function securelyAggregated(r: RoundResult): boolean {
  const perPlant = Object.values(r.fit.perPlant);
  return perPlant.length > 0 && perPlant.every((m) => m.secureAggregate === 1);
}

function describeRound(r: RoundResult, total: number): string {
  const loss = r.fit.aggregated.trainLoss;
  const rmse = r.evaluation?.weighted.rmse;
  // Under secure aggregation plants do not reveal their train loss: say why it is missing.
  const fit = securelyAggregated(r) ? 'secure aggregate' : `trainLoss ${fmt(loss)}`;
  const classification = r.evaluation?.classification;
  const evaluation = classification !== undefined ? `, ${describeClassification(classification.pooled)}` : rmse === undefined ? '' : `, rmse ${fmt(rmse)}`;
  return `round ${r.round}/${total}: ${r.participants.length} plants, ${fit}${evaluation} (${(r.durationMs / 1000).toFixed(1)} s)`;
}

/** Pooled classifier metrics in one line: accuracy, macro-F1, and recall/precision/AUC of each class k ≥ 1. */
function describeClassification(c: ClassificationReport): string {
  const rare = c.perClass.slice(1).map((m, k) => `class ${k + 1}: recall ${fmt(m.recall)} precision ${fmt(m.precision)} AUC ${fmt(c.auc[k])}`);
  return `accuracy ${fmt(c.accuracy)}, macro-F1 ${fmt(c.macroF1)}; ${rare.join('; ')}`;
}

function describeDrift(e: DriftWatchEvent, retrainRounds: number): string {
  switch (e.type) {
    case 'drift-check':
      return `drift check ${e.check}: ${e.reports.map((r) => `${r.plantId} ${r.drift ? 'DRIFT' : 'ok'} (score ${fmt(r.score)}, ${r.samples} samples)`).join(', ') || 'no plant answered'}; ${e.decision.retrain ? 'retraining' : 'no retraining'}: ${e.decision.reason}`;
    case 'retraining-started':
      return `retraining '${e.runId}' from the deployed model (drifting: ${e.drifting.join(', ')})`;
    case 'retraining-round':
      return `${e.result.runId} ${describeRound(e.result, retrainRounds)}`;
    case 'retraining-completed':
      return `retraining '${e.runId}' completed; plants reset their drift monitors`;
  }
}

function driftJson(e: DriftWatchEvent): object {
  return e.type === 'retraining-round' ? { ...roundJson(e.result), runId: e.result.runId } : e;
}

function roundJson(r: RoundResult): object {
  return {
    type: 'round', round: r.round, participants: r.participants, dropped: r.dropped, fit: r.fit.aggregated,
    evaluation: r.evaluation?.weighted ?? null, secureAggregation: securelyAggregated(r), durationMs: r.durationMs,
    ...(r.evaluation?.classification === undefined ? {} : { classification: r.evaluation.classification }),
  };
}

function fmt(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? String(x) : x.toPrecision(4);
}
