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

/**
 * One chart, x = CO2 [t/t steel], y = cost [$/t steel]. For one plant: the model's front on the
 * truth, as the model predicted it, and the exact front; for several plants: the model's front on
 * the truth and the exact front of each.
 */
export function paretoSvg(comparisons: ParetoComparison | readonly ParetoComparison[], options: { width?: number; height?: number } = {}): string {
  const list: readonly ParetoComparison[] = Array.isArray(comparisons) ? (comparisons as readonly ParetoComparison[]) : [comparisons as ParetoComparison];
  const byCo2 = (a: readonly [number, number], b: readonly [number, number]): number => a[0] - b[0];
  const onTruth = (c: ParetoComparison): [number, number][] => c.model.map((p): [number, number] => [p.trueCo2TPerT, p.trueCostUsdPerT]).sort(byCo2);
  const exact = (c: ParetoComparison): [number, number][] => c.exact.map((p): [number, number] => [p.co2TPerT, p.costUsdPerT]).sort(byCo2);
  const series =
    list.length === 1
      ? [
          { name: 'federated model, on the truth', points: onTruth(list[0]) },
          { name: 'federated model, as predicted', points: list[0].model.map((p): [number, number] => [p.predictedCo2TPerT, p.predictedCostUsdPerT]).sort(byCo2) },
          { name: 'exact (simulator LP)', points: exact(list[0]) },
        ]
      : list.flatMap((c) => [
          { name: `${c.plantId}: model, on the truth`, points: onTruth(c) },
          { name: `${c.plantId}: exact`, points: exact(c) },
        ]);
  const title = list.length === 1 ? `EAF charge: cost vs CO2 (${list[0].plantId})` : 'EAF charge: cost vs CO2 per plant';
  return lineChart(series, { title, xLabel: 'CO2 [t per t steel]', yLabel: 'cost [$ per t steel]', width: options.width ?? 760, height: options.height ?? 420 });
}
