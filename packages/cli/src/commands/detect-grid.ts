/**
 * `ebt detect --grid FILE`: criteria settings, one per line of a text file (the flags of `ebt detect`; `#` starts
 * a comment), each replayed on each trajectory, beside the steps where the masks settled (docs/method.md 3.3).
 */
import { Command, CommanderError } from 'commander';
import { CRITERIA, judgeDetection, MASK_RULE_DELTA, masksAt, MaskOptions, Point, replay, resolveMaskOptions, Settling, settlingSteps } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';
import { densePoints, Trajectory, TrajectoryPoint } from '@ebt/slimming';
import { readText } from '../input';
import { parseSetting, settingFlags } from './detect-setting';

export interface GridSetting {
  /** the line as written */
  line: string;
  criterion: ReturnType<typeof parseSetting>['name'];
  masks: Required<MaskOptions>;
  options: Record<string, unknown>;
}

export interface GridDraw {
  drawnAt: { step: number; epoch: number } | null;
  /** the step from which both masks stay within the mask rule's delta of the final ones, at this setting's ratios */
  settled: number;
  /** drawnAt.step - settled: negative when drawn before the masks settled */
  after: number | null;
  /** the mask rule of section 3.3 at the draw: farther than delta from the final masks */
  falsePositive: boolean | null;
}

export interface GridResult {
  settings: Array<{ line: string; criterion: string; options: Record<string, unknown>; draws: GridDraw[] }>;
  trajectories: Array<{ file: string; points: number; steps: number; settling: Settling[] }>;
}

/** Tokens of one line: flags and values split at white space (no value of a criterion flag holds a space). */
const tokens = (line: string) => line.trim().split(/\s+/).filter(Boolean);

/** Reads the grid file, parsing each setting as `ebt detect` parses its flags; a bad line is named with its number. */
/** The points before the coefficients change shape (EB-train pruned the model there), and that step (null: never). */
export function densePart<P extends TrajectoryPoint>(all: P[]): { points: P[]; prunedAt: number | null } {
  const points = densePoints(all);
  return { points, prunedAt: points.length < all.length ? all[points.length].step : null };
}

export function readGrid(file: string): GridSetting[] {
  const settings: GridSetting[] = [];
  readText(file)
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) return;
      const where = `--grid '${file}', line ${i + 1}`;
      const cmd = settingFlags(new Command())
        .exitOverride()
        .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      try {
        const { name, masks, options } = parseSetting(cmd.parse(tokens(line), { from: 'user' }).opts());
        CRITERIA[name].create(options); // the criterion checks its options now, not halfway through the replays
        settings.push({ line, criterion: name, masks: resolveMaskOptions(masks), options });
      } catch (e) {
        if (e instanceof CommanderError) throw new UsageError(`${where}: ${e.message.replace(/^error: /, '')}`);
        throw new UsageError(`${where}: ${(e as Error).message}`);
      }
    });
  if (settings.length === 0) throw new UsageError(`--grid '${file}' holds no setting (one line of flags each).`);
  return settings;
}

/** Every setting on every trajectory; the settling steps at the command's mask flags, and each draw's at its own. */
export function runGrid(settings: GridSetting[], read: Array<{ file: string; trajectory: Trajectory }>, masks: Required<MaskOptions>): GridResult {
  const trajectories = read.map(({ file, trajectory }) => ({ file, points: densePart(trajectory.points()).points }));
  const settled = new Map<string, number>();
  const settledAt = (t: number, points: Point[], m: Required<MaskOptions>) => {
    const key = `${t}|${JSON.stringify(m)}`;
    if (!settled.has(key)) settled.set(key, settlingSteps(points, m, [MASK_RULE_DELTA])[0].both);
    return settled.get(key)!;
  };
  return {
    settings: settings.map((s) => ({
      line: s.line,
      criterion: s.criterion,
      options: s.options,
      draws: trajectories.map(({ points }, t) => drawOn(points, s, settledAt(t, points, s.masks))),
    })),
    trajectories: trajectories.map(({ file, points }) => ({
      file,
      points: points.length,
      steps: points[points.length - 1]?.step ?? 0,
      settling: settlingSteps(points, masks),
    })),
  };
}

function drawOn(points: Point[], s: GridSetting, settled: number): GridDraw {
  const verdict = replay(CRITERIA[s.criterion].create(s.options), points);
  if (!verdict.drawn) return { drawnAt: null, settled, after: null, falsePositive: null };
  const at = points.find((p) => p.step === verdict.step)!;
  const judged = judgeDetection({
    detection: verdict,
    masksAtDetection: masksAt(at, s.masks),
    finalMasks: masksAt(densePoints(points).at(-1)!, s.masks),
    totalSteps: points[points.length - 1].step,
  });
  return { drawnAt: { step: verdict.step, epoch: verdict.epoch }, settled, after: verdict.step - settled, falsePositive: judged.falsePositive };
}

/** A Markdown table: a row per setting, a column per trajectory; a cell is the draw and its distance from the settling step. */
export function formatGrid(r: GridResult): string {
  const name = (f: string) => f.split('/').slice(-2).join('/');
  const cell = (d: GridDraw) => (d.drawnAt ? `${d.drawnAt.step} (${d.after! >= 0 ? '+' : ''}${d.after}${d.falsePositive ? ', FP' : ''})` : 'none');
  const lines = [
    `| setting | ${r.trajectories.map((t) => name(t.file)).join(' | ')} |`,
    `| --- |${r.trajectories.map(() => ' --- |').join('')}`,
    `| masks within ${MASK_RULE_DELTA} from (heads / FFN / both) | ${r.trajectories.map((t) => `${t.settling[0].heads} / ${t.settling[0].ffn} / ${t.settling[0].both}`).join(' | ')} |`,
    ...r.settings.map((s) => `| \`${s.line}\` | ${s.draws.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}
