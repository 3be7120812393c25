import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { maskFromCoefficients } from '@ebt/eb-criteria';
import { maskFlags, parseMaskFlags } from './flags';
import { initBackend } from '@ebt/backend';
import { checkPretrained, loadPretrained, savePretrained } from '@ebt/models';
import { countFlops, countParameters, flopTokens, pruneModel, PruningError } from '@ebt/pruning';
import { pointAfterEpochs, readTrajectory } from '@ebt/slimming';
import { UsageError } from '@ebt/errors';
import { resolveModel } from '@ebt/hub';
import { copyInputFiles } from '@ebt/experiment';
import { parseInteger } from '../input';
import { printJson } from '../output';

/** A trajectory of another model: the masks' shapes are checked against the model's config, and the error names both. */
function fits<T>(prune: () => T, o: { trajectory: string; model: string }, step: number): T {
  try {
    return prune();
  } catch (e) {
    if (!(e instanceof PruningError)) throw e;
    throw new UsageError(`'${o.trajectory}' at step ${step} does not fit the model in '${o.model}': ${e.message}`);
  }
}

export function pruneCommand(): Command {
  return maskFlags(new Command('prune'))
    .requiredOption('--model <dir>', "Hugging Face model folder (e.g. a run's init/ for re-training from initialisation)")
    .requiredOption('--trajectory <file>', "a slimming run's trajectory: .arrow, .csv, .parquet, a run folder or the seed's .npy pair")
    .option('--at <epoch>', 'after this many epochs (0: the initial coefficients); the last point of that epoch')
    .option('--step <n>', 'the trajectory point at this step instead of --at')
    .requiredOption('--out <dir>', 'folder for the pruned model')
    .option('--fold-coefficients', 'fold the recorded coefficients into the output projections (continue training a slimmed model)', false)
    .option('--overwrite', 'write the pruned model over the files in --out', false)
    .option('--backend <name>', 'tfjs backend')
    .option('--json', 'machine-readable output', false)
    .action(async (o) => {
      if ((o.at === undefined) === (o.step === undefined)) throw new UsageError('Give exactly one of --at EPOCH and --step STEP.');
      if (!o.overwrite && fs.existsSync(o.out) && fs.readdirSync(o.out).length > 0)
        throw new UsageError(`--out '${o.out}' is not empty; give --overwrite to write the pruned model over it, or another folder.`);
      const { ratioHeads, ratioFfn, scopeHeads, scopeFfn } = parseMaskFlags(o);
      const points = (await readTrajectory(o.trajectory)).points();
      let point;
      if (o.step !== undefined) {
        const step = parseInteger(o.step, '--step');
        point = points.find((p) => p.step === step);
        if (!point) throw new UsageError(`'${o.trajectory}' has no point at step ${step}.`);
      } else {
        const at = parseInteger(o.at, '--at');
        point = pointAfterEpochs(points, at);
        if (!point)
          throw new UsageError(`'${o.trajectory}' has no point in epoch ${at} (it covers ${points.length ? points[points.length - 1].epoch + 1 : 0} epochs).`);
      }
      const masks = {
        heads: maskFromCoefficients(point.heads, ratioHeads, scopeHeads),
        ffn: maskFromCoefficients(point.ffn, ratioFfn, scopeFfn),
      };
      const modelDir = await resolveModel(o.model);
      checkPretrained(modelDir); // a malformed folder says so before any backend starts
      await initBackend({ backend: o.backend });
      const { model } = loadPretrained(modelDir);
      const { model: pruned } = fits(() => pruneModel(model, masks, { coefficients: o.foldCoefficients ? point : undefined }), o, point.step);
      await savePretrained(pruned, o.out);
      copyInputFiles(modelDir, o.out); // the tokenizer or preprocessor: the pruned folder fine-tunes and infers as the original
      const tokens = flopTokens(model.config, 128);
      const summary = {
        out: path.resolve(o.out),
        step: point.step,
        epoch: point.epoch,
        heads: masks.heads.map((m) => m.reduce((s, v) => s + v, 0)),
        intermediateSizes: masks.ffn.map((m) => m.reduce((s, v) => s + v, 0)),
        parameters: { before: countParameters(model.config), after: countParameters(pruned.config) },
        flops: { before: countFlops(model.config, tokens), after: countFlops(pruned.config, tokens), tokens },
      };
      if (o.json) printJson(summary);
      else
        process.stdout.write(
          `pruned model in ${summary.out}: heads per layer ${summary.heads.join(' ')}, FFN ${summary.intermediateSizes.join(' ')}; parameters ${summary.parameters.before} -> ${summary.parameters.after}, FLOPs ${summary.flops.before} -> ${summary.flops.after}\n`,
        );
    });
}
