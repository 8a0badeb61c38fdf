import { writeSimulatedPlants } from '../src/data/simulate.js';
import { readPlantSchema } from '../src/data/schema.js';
import { readPlantCsv } from '../src/data/read-csv.js';
import { buildFeatures } from '../src/data/features.js';
const t0 = Date.now();
const m = await writeSimulatedPlants({ process: 'cstr', plants: 3, seed: 5, out: '/tmp/simtest', samples: 300 });
console.log(JSON.stringify(m).slice(0, 600), Date.now() - t0);
const p = (m as any).plants[0];
console.log(Object.keys(p));
