import { gridConformance } from './grid-conformance.js';
import { InMemoryGrid } from './in-memory-grid.js';

gridConformance('InMemoryGrid', async (plants) => {
  const grid = new InMemoryGrid(plants);
  return {
    grid,
    disconnect: (id) => grid.disconnect(id),
    submitAs: (id, reply) => grid.submitAs(id, reply),
    close: () => grid.close(),
  };
});
