import * as path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '@ebt/errors';
import {
  PILOT_GATE_POINTS,
  PILOT_SEEDS,
  pilotGate,
  RatioPair,
  ratioKey,
  ratioLabel,
  SEED_RATIOS,
  study,
  STUDY_FRACTIONS,
  StudySummary,
  writePilotGate,
} from '@ebt/experiment';
import { executorFlags, makeExecutor } from './executor-flags';
import { writeStudyReport } from '@ebt/report';
import { parseInteger, parseNumber, splitList } from '../input';
import { printJson } from '../output';
import { earlyBirdFlags, parseEarlyBirdFlags, parseTrainingFlags, trainingFlags } from './flags';
import { resolveModelFlag, RUN_KINDS } from './run-kinds';

export function studyCommand(): Command {
  const cmd = new Command('study');
  for (const kind of RUN_KINDS) {
    const sub = earlyBirdFlags(
      trainingFlags(
        kind.flags(
          cmd
            .command(kind.studyName ?? kind.name)
            .description(
              `The early-bird study: one dense slimming run per seed, then prune-and-retrain cells at fractions of training, at each criterion's draw and at the controls; study.json, study.csv and report/ in --out (docs/study.md). Each run: ${kind.description}`,
            ),
        ),
        true,
      ),
      {
        help: 'pruning ratios, heads:FFN pairs or one number for both: each run watches each criterion at each, and each draw is pruned and judged at its own',
        default: SEED_RATIOS.map(ratioKey).join(','),
      },
    )
      .option('--seeds <n>', 'number of seeds (1..n); 5 give confidence intervals worth reading (docs/study.md)', '5')
      .option('--seed-list <list>', 'the seeds themselves, e.g. 4,7,9 (instead of --seeds)')
      .option('--at-fractions <list>', 'fractions of training to prune at (0: step 0, where the mask is the index tie-break)', STUDY_FRACTIONS.join(','))
      .option('--retrain-epochs <n>', "epochs of each retraining (default: the run's)")
      .option(
        '--pilot',
        `first a pilot on seeds never reported (DIR/pilot: the dense runs, then only the cells its gate reads); the full study runs only if its late ticket beats the random mask and the earliest grid ticket by ${PILOT_GATE_POINTS} points at the largest ratio`,
      )
      .option('--pilot-seeds <list>', `the pilot's seeds (default ${PILOT_SEEDS.join(',')})`);
    executorFlags(sub).action(async (o) => {
      if (o.seedList !== undefined && sub.getOptionValueSource('seeds') === 'cli')
        throw new UsageError('--seeds and --seed-list name the seeds twice: give one.');
      const seeds =
        o.seedList === undefined
          ? Array.from({ length: parseInteger(o.seeds, '--seeds') }, (_, i) => i + 1)
          : splitList(o.seedList).map((s) => parseInteger(s, '--seed-list'));
      if (seeds.length === 0) throw new UsageError('--seeds must be at least 1.');
      const { seed: _seed, ...training } = parseTrainingFlags(o);
      const parsed: Record<string, unknown> & { model?: string } = { ...training, ...parseEarlyBirdFlags(o), ...kind.parse(o) };
      const runOptions = await resolveModelFlag(parsed, o.revision);
      // progress goes to stderr with --json too: stdout holds only the JSON
      const log = (l: string) => process.stderr.write(l + '\n');
      const dir = path.resolve(o.out);
      const pilotSeeds = o.pilotSeeds === undefined ? PILOT_SEEDS : splitList(o.pilotSeeds).map((s) => parseInteger(s, '--pilot-seeds'));
      if (o.pilotSeeds !== undefined && !o.pilot) throw new UsageError('--pilot-seeds needs --pilot.');
      const shared = seeds.find((s) => o.pilot && pilotSeeds.includes(s));
      if (shared !== undefined) throw new UsageError(`--pilot-seeds must not name a seed of the study (got ${shared}): a pilot's seeds are never reported.`);
      // the kind's inputs, before the study writes anything
      await kind.check?.(runOptions as never);
      const options = {
        kind: kind.module,
        runOptions: JSON.parse(JSON.stringify(runOptions)),
        atFractions: fractionList(o.atFractions),
        ratios: parsed.ratios as RatioPair[],
        retrainEpochs: o.retrainEpochs === undefined ? undefined : parseInteger(o.retrainEpochs, '--retrain-epochs'),
        backend: training.backend,
        log,
      };
      if (o.pilot) {
        const pilotDir = path.join(dir, 'pilot');
        const p = await study(pilotDir, { ...options, seeds: pilotSeeds, gateOnly: true, executor: makeExecutor(o, pilotDir, log) });
        if (p.submitted) return submitted(p.submitted, o.json);
        writeStudyReport(pilotDir);
        const gate = pilotGate(p.summary);
        const file = writePilotGate(pilotDir, gate);
        log(
          `ebt study: pilot on seeds ${gate.seeds.join(', ')} at ${gate.ratio}: late minus random ${points(gate.lateMinusRandom)}, late minus earliest ${points(gate.lateMinusEarliest)}; the gate (${gate.thresholdPoints} points) ${gate.passed ? 'passed' : 'failed'} (${file})`,
        );
        if (!gate.passed) {
          if (o.json) return printJson({ pilot: gate, proceeded: false });
          process.stdout.write(`pilot gate failed: this setting does not show a mask at ${gate.ratio}; the full study was not run (${file})\n`);
          return;
        }
      }
      const r = await study(dir, { ...options, seeds, executor: makeExecutor(o, dir, log) });
      if (r.submitted) return submitted(r.submitted, o.json);
      const report = writeStudyReport(dir).file;
      if (o.json) return printJson(r.summary);
      printStudy(r.summary);
      process.stdout.write(`study: ${r.json}\ntable: ${r.csv}\nreport: ${report}\n`);
    });
  }
  return cmd;
}

function fractionList(value: string): number[] {
  const fractions = splitList(value).map((s) => parseNumber(s, '--at-fractions'));
  if (fractions.length === 0) throw new UsageError(`--at-fractions must name at least one fraction (got '${value}').`);
  return fractions;
}

const points = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)} points`);

function submitted(r: { jobs: string[]; note: string }, json: boolean): void {
  if (json) return printJson({ submitted: r });
  process.stdout.write(`ebt: ${r.note}\n`);
}

function printStudy(s: StudySummary): void {
  const fmt = (m: { mean: number | null; sd: number | null }) =>
    m.mean === null
      ? 'n/a'
      : s.metric === 'accuracy'
        ? `${(100 * m.mean).toFixed(2)}%${m.sd === null ? '' : ` ± ${(100 * m.sd).toFixed(2)}`}`
        : `${m.mean.toFixed(2)}${m.sd === null ? '' : ` ± ${m.sd.toFixed(2)}`}`;
  for (const [r, e] of Object.entries(s.endpoints.byRatio)) process.stdout.write(`verdict at ${r}: ${e.verdict}\n`);
  process.stdout.write(`seeds ${s.seeds.join(', ')}; dense ${s.metric} ${fmt(s.dense.score)}\n`);
  for (const t of s.table)
    process.stdout.write(
      `  pruned at ${(100 * t.fraction).toPrecision(2).padStart(4)}%${t.tieBreak ? ' (tie-break mask)' : ''}, ratio ${ratioLabel(t)}: ${fmt(t.score)}\n`,
    );
  for (const c of s.controls) process.stdout.write(`  ${c.kind === 'random' ? 'random mask' : 'layerwise shuffle'}, ratio ${ratioLabel(c)}: ${fmt(c.score)}\n`);
  for (const [name, c] of Object.entries(s.criteria)) {
    const draws = c.draws.map((d) => (d ? `${d.step} (${(100 * d.fraction).toFixed(0)}%)` : 'never')).join(', ');
    process.stdout.write(
      `${name}: drawn at ${draws}; ${c.neverDrew} never drew, ${c.falsePositives} false positives; ticket ${s.metric} ${fmt(c.ticketScore)}\n`,
    );
    const d = c.statistics.vsLatestGridPoints;
    const ci = d.t ? ` (95% CI ${d.t.lower.toFixed(2)} to ${d.t.upper.toFixed(2)})` : '';
    if (d.mean !== null) process.stdout.write(`  ticket minus the latest grid ticket: ${d.mean.toFixed(2)} points${ci}, ${d.n} seeds\n`);
  }
}
