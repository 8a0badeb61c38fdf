/**
 * `crucible optimize charge`: the least-cost EAF charge for a spec on a plant's learned charge
 * model (sequential LP in HiGHS, chance constraints on the chemistry), with the predicted and —
 * for a simulated plant — the true outcome against the exact optimum; optionally the cost–CO2
 * Pareto front as SVG. `crucible optimize eaf-study`: the federated-vs-local study on the three
 * simulated melt shops. Wiring only: the work is in optimize/charge.ts and study/eaf-*.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { writeFileAtomic } from '../data/write.js';
import { eafPlantSchema, type EafPlant } from '../process/eaf/heat.js';
import { eafPlantConfigSchema } from '../process/eaf/heatLog.js';
import { eafSpecSchema, type EafSpec } from '../process/eaf/optimalCharge.js';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { optimizeCharge } from '../optimize/charge.js';
import { eafChargeProblem } from '../study/eaf-charge.js';
import { decodeEafChargeModel, encodeEafChargeModel } from '../study/eaf-charge-model-file.js';
import { eafChargeStudy, eafParetoComparison, eafValidationFleet, fitEafStudyModels, scoreOnTruth, studySpec, type EafStudyRow } from '../study/eaf-charge-study.js';
import { paretoSvg } from '../report/pareto.js';
import { integer, oneOf } from './arguments.js';
import { fmt, readDataFile, seedList, simulatedPlant, table } from './optimize-common.js';

/** A probability in (0.5, 1), or 0 for none. */
function confidence(text: string): number {
  const v = Number(text);
  if (!(v === 0 || (v > 0.5 && v < 1))) throw new InvalidArgumentError(`expected a probability in (0.5, 1) or 0 for none, got '${text}'`);
  return v;
}

/** A plant's materials table: a manifest entry (with --plant), an EAF plant config or a bare plant. */
async function eafPlantFrom(path: string, plantId: string | undefined): Promise<EafPlant> {
  if (path.endsWith('manifest.json')) {
    const p = await simulatedPlant(path, plantId);
    if (p.process !== 'eaf') throw new RangeError(`${path}: process is '${p.process}', not eaf`);
    return eafPlantConfigSchema.parse(p.config).plant;
  }
  const raw = await readDataFile(path, 'plant config');
  const asConfig = eafPlantConfigSchema.safeParse(raw);
  if (asConfig.success) return asConfig.data.plant;
  const asPlant = eafPlantSchema.safeParse(raw);
  if (asPlant.success) return asPlant.data;
  const issue = asPlant.error.issues[0];
  throw new RangeError(`${path}: neither an EAF plant config nor an EAF plant (${issue.path.join('.') || '(root)'}: ${issue.message})`);
}

/** The study rows as a table. */
export function describeEafStudy(rows: readonly EafStudyRow[]): string {
  return table(
    ['seed', 'plant', 'model', 'cost gap %', 'true cost $/t', 'exact $/t', 'spec on truth', 'Cu wt% pred ± sd | true', 'Sn wt% pred ± sd | true'],
    rows.map((r) =>
      r.status === 'infeasible'
        ? [String(r.seed), r.plantId, r.method, '—', '—', '—', `model: infeasible (${r.infeasibleConstraint})`, '—', '—']
        : [String(r.seed), r.plantId, r.method, r.costGapPercent.toFixed(2), (r.trueCostUsd / r.trueSteelT).toFixed(2), (r.exactCostUsd / r.trueSteelT).toFixed(2), r.violations.length ? r.violations.join('; ') : 'met',
          `${r.residuals.Cu.predicted.toFixed(4)} ± ${r.residuals.Cu.sd.toFixed(4)} | ${r.residuals.Cu.true.toFixed(4)}`,
          `${r.residuals.Sn.predicted.toFixed(5)} ± ${r.residuals.Sn.sd.toFixed(5)} | ${r.residuals.Sn.true.toFixed(5)}`],
    ),
  );
}

interface ChargeFlags {
  model: string;
  spec: string;
  plantConfig: string;
  plant?: string;
  confidence: number;
  pareto?: number;
  svg?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `crucible optimize charge`. */
export function chargeCommand(): Command {
  return new Command('charge')
    .description('least-cost EAF charge for a spec on a learned charge model; true outcome and exact optimum for simulated plants')
    .requiredOption('--model <file>', 'a plant’s charge model (crucible-eaf-charge-model/1, from crucible optimize eaf-study --models DIR)')
    .requiredOption('--spec <file>', 'the grade (YAML/JSON): steelT, elements { Cu: { max: 0.0018 }, … } (mass fractions), optional maxCo2TPerTSteel, availabilityT')
    .requiredOption('--plant-config <file>', 'the plant’s materials table and prices: a crucible simulate manifest.json (with --plant) or an EAF plant config')
    .option('--plant <id>', 'which plant of the manifest')
    .option('--confidence <p>', 'probability every chemistry limit is held under the model’s uncertainty (0: none)', confidence, 0.975)
    .option('--pareto <n>', 'also trace the cost–CO2 Pareto front with n points', integer(2))
    .option('--svg <file>', 'write the Pareto front as SVG (with --pareto)')
    .option('--out <file>', 'write the recommendation as JSON here')
    .option('--json', 'print the recommendation as JSON')
    .option('--quiet', 'print nothing but errors')
    .action(async (flags: ChargeFlags) => {
      let text: string;
      try {
        text = await readFile(flags.model, 'utf8');
      } catch (e) {
        throw new RangeError(`Cannot read charge model '${flags.model}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const model = decodeEafChargeModel(text, flags.model);
      const plant = await eafPlantFrom(flags.plantConfig, flags.plant ?? model.plantId);
      const specRaw = eafSpecSchema.safeParse(await readDataFile(flags.spec, 'spec'));
      if (!specRaw.success) {
        const issue = specRaw.error.issues[0];
        throw new RangeError(`${flags.spec}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      const spec: EafSpec = specRaw.data;
      const conf = flags.confidence === 0 ? undefined : flags.confidence;
      const problem = eafChargeProblem(plant, spec, { confidence: conf, usable: model.known });
      const rec = await optimizeCharge(problem, model.surrogate, spec.maxCo2TPerTSteel === undefined ? {} : { maxCo2T: spec.maxCo2TPerTSteel * spec.steelT });
      const truth = await scoreOnTruth(plant, spec, rec);
      const front = flags.pareto === undefined ? undefined : await eafParetoComparison(plant, spec, { surrogate: model.surrogate, known: model.known }, { points: flags.pareto, confidence: conf });
      if (flags.svg !== undefined) {
        if (front === undefined) throw new RangeError('--svg needs --pareto <n>');
        await writeFileAtomic(flags.svg, [paretoSvg(front), '\n']);
      }
      const json = JSON.stringify({ model: flags.model, spec, recommendation: { chargeT: rec.chargeT, predictedCostUsd: rec.costUsd, predictedCo2T: rec.co2T, ...rec.result }, truth, ...(front ? { pareto: front } : {}) }, null, 2);
      if (flags.out !== undefined) await writeFileAtomic(flags.out, [json, '\n']);
      if (flags.json) process.stdout.write(`${json}\n`);
      else if (!flags.quiet) {
        const lines = [`Recommended charge for ${spec.steelT} t (${plant.plantId}):`];
        for (const [id, t] of Object.entries(rec.chargeT)) lines.push(`  ${id}: ${fmt(t)} t`);
        lines.push(`Cost: predicted ${fmt(rec.costUsd)} $, true ${fmt(truth.trueCostUsd)} $ for ${fmt(truth.trueSteelT)} t; exact optimum ${fmt(truth.exactCostUsd)} $ (gap ${truth.costGapPercent.toFixed(2)} %)`);
        lines.push(`Spec on the true simulator: ${truth.violations.length ? truth.violations.join('; ') : 'met'}`);
        for (const e of ['Cu', 'Sn'] as const) lines.push(`  ${e}: predicted ${fmt(truth.residuals[e].predicted)} ± ${fmt(truth.residuals[e].sd)} wt%, true ${fmt(truth.residuals[e].true)} wt%`);
        if (front) for (const p of front.model) lines.push(`  Pareto: CO2 ${p.trueCo2TPerT.toFixed(3)} t/t, cost ${p.trueCostUsdPerT.toFixed(2)} $/t on the truth${p.specMet ? '' : ' (spec broken)'}`);
        if (flags.out) lines.push(`written: ${flags.out}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    });
}

interface EafStudyFlags {
  seeds: number[];
  fleet: 'reported' | 'validation';
  members: number;
  starts: number;
  confidence: number;
  prior: boolean;
  models?: string;
  svg?: string;
  json?: boolean;
}

/** `crucible optimize eaf-study`. */
export function eafStudyCommand(): Command {
  return new Command('eaf-study')
    .description('EAF: fit the charge model federated and local-only, recommend each shop’s least-cost charge, score it on the true simulator')
    .option('--seeds <list>', "seeds of heats and bootstrap, e.g. '1-3'", seedList, [1, 2, 3])
    .option('--fleet <name>', "'reported' (the three shops) or 'validation' (other scrap qualities, for choosing settings)", oneOf(['reported', 'validation'] as const), 'reported')
    .option('--members <n>', 'bootstrap members of each model', integer(1), 16)
    .option('--confidence <p>', 'probability every chemistry limit is held (0: none)', confidence, 0.975)
    .option('--starts <n>', 'seeded random starts of the sequential LP (besides the box centre and the optimum without back-off)', integer(0), 6)
    .option('--no-prior', 'fit on the heat records alone (no spec-sheet prior on Cu, Sn, Ni, Mo)')
    .option('--models <dir>', 'write each plant’s federated charge model (first seed) to DIR/<plant>.charge-model.json')
    .option('--svg <file>', 'write every plant’s cost–CO2 Pareto front (first seed) as SVG, model on the truth vs exact')
    .option('--json', 'print the rows as JSON')
    .action(async (flags: EafStudyFlags) => {
      const plants = flags.fleet === 'validation' ? eafValidationFleet() : eafPaperPreset();
      const common = { plants, members: flags.members, randomStarts: flags.starts, prior: flags.prior, confidence: flags.confidence === 0 ? undefined : flags.confidence };
      const rows: EafStudyRow[] = [];
      for (const seed of flags.seeds) {
        rows.push(...(await eafChargeStudy({ ...common, seed, onProgress: (s) => (flags.json ? undefined : process.stderr.write(`seed ${seed}: fitted ${s}\n`)) })));
      }
      if (flags.models !== undefined || flags.svg !== undefined) {
        const { scenario, fits } = await fitEafStudyModels({ ...common, seed: flags.seeds[0], methods: ['federated'] });
        for (const p of scenario.plants) {
          if (flags.models !== undefined) await writeFileAtomic(join(flags.models, `${p.plantId}.charge-model.json`), [encodeEafChargeModel(p.plantId, fits.federated!.members.map((m) => ({ coefficients: m.coefficients, factors: m.factors[p.plantId] }))), '\n']);
        }
        if (flags.svg !== undefined) {
          const fed = fits.federated!;
          const fronts = [];
          for (const p of scenario.plants) {
            const spec = { ...studySpec, steelT: Math.round(0.9 * p.config.chargeT) };
            fronts.push(await eafParetoComparison(p.config.plant, spec, { surrogate: fed.surrogates[p.plantId], known: fed.known }, { confidence: common.confidence }));
          }
          await writeFileAtomic(flags.svg, [paretoSvg(fronts), '\n']);
          if (!flags.json) {
            for (const f of fronts) {
              const pts = (xs: { co2: number; cost: number }[]) => xs.sort((a, b) => a.co2 - b.co2).map((q) => `${q.co2.toFixed(3)} t/t ${q.cost.toFixed(1)} $/t`).join(', ');
              process.stderr.write(`${f.plantId} Pareto, model on the truth: ${pts(f.model.map((q) => ({ co2: q.trueCo2TPerT, cost: q.trueCostUsdPerT })))}\n`);
              process.stderr.write(`${f.plantId} Pareto, exact: ${pts(f.exact.map((q) => ({ co2: q.co2TPerT, cost: q.costUsdPerT })))}\n`);
            }
            process.stderr.write(`Pareto fronts: ${flags.svg}\n`);
          }
        }
      }
      process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${describeEafStudy(rows)}\n`);
    });
}
