/**
 * The commands of `ebt`, in the order --help lists them: each one's description, and how to build it. A
 * command's module (and what it imports: tfjs, onnxruntime, the native addon) is loaded only when that
 * command runs, so `ebt --help` or `ebt stationarity` starts without them.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  description: string;
  load(): Command;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'stationarity',
    description: 'Run a stationarity test on a series; prints JSON.',
    load: () => (require('./stationarity') as typeof import('./stationarity')).stationarityCommand(),
  },
  {
    name: 'pretrain',
    description: 'Pretrain a model from scratch with network slimming.',
    load: () => (require('./pretrain') as typeof import('./pretrain')).pretrainCommand(),
  },
  {
    name: 'finetune',
    description: 'Fine-tune a Hugging Face checkpoint with network slimming.',
    load: () => (require('./finetune') as typeof import('./finetune')).finetuneCommand(),
  },
  {
    name: 'detect',
    description:
      'Replay a trajectory through an early-bird criterion; prints {"criterion", "drawnAt", "settling", "details"} as JSON: the draw, and the steps from which the masks stay within 0.1, 0.05, 0.02 and 0 of the final ones. With --grid, every setting of a file on several trajectories.',
    load: () => (require('./detect') as typeof import('./detect')).detectCommand(),
  },
  {
    name: 'sweep',
    description:
      'Prune a finished slimming run at several epochs and ratios, retrain each ticket from the initial weights (no L1), and tabulate the score, parameters, FLOPs and time (RUN_DIR/sweep/results.csv, .arrow).',
    load: () => (require('./sweep') as typeof import('./sweep')).sweepCommand(),
  },
  {
    name: 'study',
    description:
      "The early-bird study: dense slimming runs over seeds, prune-and-retrain at fractions of training and at each criterion's draw, and a verdict per criterion (study.json, study.csv, report/).",
    load: () => (require('./study') as typeof import('./study')).studyCommand(),
  },
  {
    name: 'report',
    description: 'Write RUN_DIR/report/index.html: curves, coefficient trajectories, mask distances, the criteria and their verdicts, sizes, the sweep.',
    load: () => (require('./report') as typeof import('./report')).reportCommand(),
  },
  {
    name: 'prune',
    description: 'Prune a model physically by the masks of a trajectory point; writes config.json + model.safetensors.',
    load: () => (require('./prune') as typeof import('./prune')).pruneCommand(),
  },
  {
    name: 'infer',
    description: 'Run a model folder (Hugging Face layout) on one input; prints {"logits": [[...]]} (QA models: {"start_logits", "end_logits"}) as JSON.',
    load: () => (require('./infer') as typeof import('./infer')).inferCommand(),
  },
  {
    name: 'export',
    description: 'Export a model for other runtimes.',
    load: () => (require('./export') as typeof import('./export')).exportCommand(),
  },
  {
    name: 'backend',
    description:
      'Initialise the tfjs backend (tfjs-node-gpu > webgpu on a hardware adapter > tfjs-node > native > wasm > cpu) and print which one runs, and on which GPU adapter.',
    load: () => (require('./backend') as typeof import('./backend')).backendCommand(),
  },
  {
    name: 'bench',
    description: 'Benchmarks against the reference implementations (run on demand).',
    load: () => (require('./bench') as typeof import('./bench')).benchCommand(),
  },
];
