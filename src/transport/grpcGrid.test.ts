import { gridConformance } from '../federation/grid-conformance.js';
import { startLoopback } from './test-support/loopback.js';

gridConformance('GrpcGrid over loopback', async (plants) => {
  const lb = await startLoopback();
  for (const p of plants) lb.connect(p.plantId, p.handle);
  return {
    grid: lb.grid,
    disconnect: async (id) => {
      await lb.connections.get(id)?.close();
    },
    submitAs: (id, reply) => lb.submitAs(id, reply),
    close: () => lb.close(),
  };
});

gridConformance('GrpcGrid over loopback with long-polling plants', async (plants) => {
  const lb = await startLoopback();
  for (const p of plants) lb.connect(p.plantId, p.handle, { mode: 'poll' });
  return {
    grid: lb.grid,
    disconnect: async (id) => {
      await lb.connections.get(id)?.close();
    },
    submitAs: (id, reply) => lb.submitAs(id, reply),
    close: () => lb.close(),
  };
});
