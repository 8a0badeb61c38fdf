/**
 * Bench helper process for bench/privacy.ts: hosts some of a case's plants as gRPC clients (one
 * channel each), so their local training and SecAgg+ work (key agreement, share encryption,
 * masking) runs on this process's core and not on the coordinator's. Each plant is a real
 * `createPlant` pipeline with the secure aggregation middleware, as `startPlant` builds it, and so
 * answers both plaintext rounds (`requireSecureAggregation` off) and SecAgg+ rounds.
 *
 * Plant p's data is the p-th draw of `Rng(plants)`, the same whichever process hosts it.
 *
 * argv: <address> <spec-json-file>, the spec being `{ plants, widths, hosted: [{ plantId, index, token }] }`.
 */
import { readFileSync } from 'node:fs';
import { createPlant } from '../../src/federation/plant.js';
import { Mlp } from '../../src/nn/mlp.js';
import { secureAggregationPlant } from '../../src/privacy/secagg/plantMiddleware.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { connectPlant } from '../../src/transport/plantConnection.js';

/** What the benchmark hands this process. */
export interface PlantHostSpec {
  readonly plants: number;
  readonly widths: readonly number[];
  readonly hosted: readonly { readonly plantId: string; readonly index: number; readonly token: string }[];
}

const ROWS = 64;

const [address, specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as PlantHostSpec;
const rng = new Rng(spec.plants);
const data = Array.from({ length: spec.plants }, () => {
  const inputs = spec.widths[0];
  const x = new Tensor(ROWS, inputs, rng.fillNormal(new Float64Array(ROWS * inputs)));
  const y = new Tensor(ROWS, 1, rng.fillNormal(new Float64Array(ROWS)));
  return { x, y };
});
const model = () => new Mlp({ widths: [...spec.widths], seed: 1 });
const connections = spec.hosted.map(({ plantId, index, token }) => {
  const plant = createPlant({ plantId, data: data[index], validationFraction: 0, model, middleware: [secureAggregationPlant({ requireSecureAggregation: false })] });
  return connectPlant(plant.handle, { address, token, security: { kind: 'insecure' }, initialBackoffMs: 50, maxBackoffMs: 500 });
});
process.on('SIGTERM', () => void Promise.all(connections.map((c) => c.close())).then(() => process.exit(0)));
