import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { startLoopback } from '../src/transport/test-support/loopback.js';
import { crucibleService } from '../src/transport/service.js';
const lb = await startLoopback();
lb.enroll('p');
const { Client } = crucibleService();
const client = new Client(lb.address, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${lb.tokens.get('p')}`);
const counts: Record<string, number> = {};
for (let i = 0; i < 300; i++) {
  const method = ['Register', 'SubmitFitResult', 'Heartbeat', 'SubmitResult', 'SubmitEvaluateResult'][i % 5];
  const payload = randomBytes(i % 50);
  const t0 = Date.now();
  const code = await new Promise((resolve) => client.makeUnaryRequest(`/crucible.v1.Coordinator/${method}`, (b: Buffer) => b, (b: Buffer) => b, payload, metadata, { deadline: Date.now() + 3000 }, (e: any) => resolve(e === null ? 0 : `${e.code}`)));
  counts[`${method}:${code}`] = (counts[`${method}:${code}`] ?? 0) + 1;
  if (Date.now() - t0 > 1000) console.log('slow', method, payload.toString('hex'), code);
}
console.log(counts);
client.close(); await lb.close();
