import * as grpc from '@grpc/grpc-js';
import { startLoopback } from '../src/transport/test-support/loopback.js';
import { crucibleService } from '../src/transport/service.js';
const lb = await startLoopback();
lb.enroll('p');
const { Client } = crucibleService();
const client = new Client(lb.address, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${lb.tokens.get('p')}`);
for (const method of ['Register', 'SubmitFitResult', 'Heartbeat', 'SubmitResult']) {
  for (const payload of [Buffer.alloc(0), Buffer.from([1,2,3,4,5]), Buffer.from([0x08, 0x01]), Buffer.from([0xff,0xff,0xff])]) {
    const t0 = Date.now();
    const code = await new Promise((resolve) => client.makeUnaryRequest(`/crucible.v1.Coordinator/${method}`, (b: Buffer) => b, (b: Buffer) => b, payload, metadata, { deadline: Date.now() + 3000 }, (e: any) => resolve(e === null ? 0 : `${e.code} ${e.details}`)));
    console.log(method, payload.length, code, Date.now() - t0);
  }
}
client.close(); await lb.close();
