import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPlant } from '../../federation/plant.js';
import { InMemoryGrid } from '../../federation/in-memory-grid.js';
import { runFederation } from '../../federation/run.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import { lastRound } from '../../federation/test-support.js';
import { generateEafHeats } from '../../process/eaf/heatLog.js';
import { eafPaperPreset } from '../../process/presets/eaf.js';
import { assertGradient } from '../../tensor/gradcheck.js';
import { Tensor } from '../../tensor/tensor.js';
import { keepPlantParametersLocal } from '../plant-parameters.js';
import { eafEnergyData, eafEnergyModel, trueEafEfficiency } from './eaf-energy.js';

const configs = eafPaperPreset();
const materials = configs[0].plant.materials.map((m) => m.id);
const heats = [400, 300, 120];
const data = configs.map((c, i) => eafEnergyData(generateEafHeats(c, { seed: 1 + i, samples: heats[i] }), materials));
const factory = () => eafEnergyModel(materials);

async function federate(personal: boolean) {
  const plantIndices = factory().indicesOf('plant');
  const locals = configs.map(() => keepPlantParametersLocal(plantIndices));
  const grid = new InMemoryGrid(configs.map((c, i) => createPlant({
    plantId: c.plant.plantId, data: data[i], model: factory, splitSeed: i, middleware: personal ? [locals[i].middleware] : [],
  })));
  const initial = factory().parameters.get();
  const last = await lastRound(runFederation(grid, fedAvg(), {
    runId: `eaf-${personal}`, rounds: 60, seed: 1, initialParameters: initial,
    training: { epochs: 5, batchSize: 32, learningRate: 0.02, optimizer: 'adam' }, minPlants: 3, evaluateEvery: 60,
    timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
  }));
  const efficiencies = locals.map((l) => {
    const m = factory();
    m.parameters.set(personal ? l.personalize(last.globalParameters) : last.globalParameters);
    return m.physicalValues().efficiency[0];
  });
  return { last, efficiencies, initial, plantIndices };
}

describe('EAF energy as a hybrid model with a plant-specific efficiency', () => {
  it('has exact gradients with respect to its raw parameters and its inputs', () => {
    const model = factory();
    const x = new Tensor(3, materials.length + 4, data[0].x.data.slice(0, 3 * (materials.length + 4)));
    assertGradient(() => model.forward(x), model.parameters.entries.map((e) => e.tensor), { label: 'EAF energy parameters' });
    assertGradient((xi) => model.forward(xi), [x], { label: 'EAF energy inputs' });
  });

  it('keeps each plant its own efficiency and fits every plant better than one shared efficiency', async () => {
    const personal = await federate(true);
    const shared = await federate(false);
    const truth = configs.map((c) => trueEafEfficiency(c.plant));
    const rmse = (r: typeof personal) => configs.map((c) => r.last.evaluation!.perPlant[c.plant.plantId].rmse);
    console.log(`  true efficiency η            ${truth.map((v) => v.toFixed(3)).join(', ')}`);
    console.log(`  local η (federated rest)     ${personal.efficiencies.map((v) => v.toFixed(3)).join(', ')}`);
    console.log(`  one shared η                 ${shared.efficiencies.map((v) => v.toFixed(3)).join(', ')}`);
    console.log(`  held-out RMSE [kWh/t] local η ${rmse(personal).map((v) => v.toFixed(1)).join(', ')}; shared η ${rmse(shared).map((v) => v.toFixed(1)).join(', ')}`);

    // The plant-specific entries never left the plants: the global copies are still the initial ones.
    for (const i of personal.plantIndices) assert.equal(personal.last.globalParameters[i], personal.initial[i]);
    // Only ratios of η are identifiable (see eaf-energy.ts): compare η_p/η_a with the truth.
    for (const p of [1, 2]) {
      const learned = personal.efficiencies[p] / personal.efficiencies[0];
      const expected = truth[p] / truth[0];
      assert.ok(Math.abs(learned - expected) / expected < 0.08, `η ratio ${configs[p].plant.plantId}/plant-a: ${learned.toFixed(3)} vs ${expected.toFixed(3)}`);
    }
    // Plant C (the least efficient shop, fewest heats) gains most from its own efficiency.
    assert.ok(rmse(personal)[2] < 0.8 * rmse(shared)[2], `plant-c RMSE ${rmse(personal)[2]} vs shared ${rmse(shared)[2]}`);
    for (const p of [0, 1, 2]) assert.ok(rmse(personal)[p] < 15, `RMSE of ${configs[p].plant.plantId} is ${rmse(personal)[p]} kWh/t`);
  });
});
