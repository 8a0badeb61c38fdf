/**
 * Bench helper process: hosts N plant clients (one gRPC channel each) for bench/federation.ts, so
 * that the coordinator's memory is measured in a process of its own. Each plant answers a fit task
 * with a synthetic update of the model's length (no local training: the bench measures transport
 * and aggregation, not training).
 *
 * argv: <address> <tokens-json-file>
 */
import { readFileSync } from 'node:fs';
import type { PlantReply, TaskMessage } from '../../src/federation/messages.js';
import { connectPlant } from '../../src/transport/plantConnection.js';

const [address, tokensFile] = process.argv.slice(2);
const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>;
const connections = Object.entries(tokens).map(([plantId, token], p) =>
  connectPlant(
    async (task: TaskMessage): Promise<PlantReply> => {
      const n = task.arrays.parameters?.length ?? 0;
      const update = new Float64Array(n);
      for (let i = 0; i < n; i++) update[i] = 1e-3 * Math.sin(i + p + task.round);
      return { ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId, numExamples: 100 + p, metrics: { trainLoss: 0.1 }, arrays: { update } };
    },
    { address, token, security: { kind: 'insecure' }, initialBackoffMs: 50, maxBackoffMs: 500 },
  ),
);
process.on('SIGTERM', () => void Promise.all(connections.map((c) => c.close())).then(() => process.exit(0)));
