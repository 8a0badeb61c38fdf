/**
 * The cost–CO2 Pareto front of an EAF charge as an SVG line chart: the front traced on the learned
 * model (each charge scored on the true simulator) against the exact front of the simulator's LP.
 * Built on the report's own chart helpers (svg.ts).
 *
 * @example
 * writeFile('pareto.svg', paretoSvg(await eafParetoComparison(plant, spec, model)));
 */
import type { ParetoComparison } from '../study/eaf-charge-study.js';
import { lineChart } from './svg.js';

/** One chart: x = CO2 [t/t steel], y = cost [$/t steel]; the model's front on the truth and the exact front. */
export function paretoSvg(c: ParetoComparison, options: { width?: number; height?: number } = {}): string {
  const byCo2 = (a: readonly [number, number], b: readonly [number, number]): number => a[0] - b[0];
  const model = c.model.map((p): [number, number] => [p.trueCo2TPerT, p.trueCostUsdPerT]).sort(byCo2);
  const predicted = c.model.map((p): [number, number] => [p.predictedCo2TPerT, p.predictedCostUsdPerT]).sort(byCo2);
  const exact = c.exact.map((p): [number, number] => [p.co2TPerT, p.costUsdPerT]).sort(byCo2);
  return lineChart(
    [
      { name: 'federated model, on the truth', points: model },
      { name: 'federated model, as predicted', points: predicted },
      { name: 'exact (simulator LP)', points: exact },
    ],
    { title: `EAF charge: cost vs CO2 (${c.plantId})`, xLabel: 'CO2 [t per t steel]', yLabel: 'cost [$ per t steel]', width: options.width ?? 720, height: options.height ?? 400 },
  );
}
