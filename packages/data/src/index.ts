export { Random, deriveSeed } from './random';
export { datasetSize, gatherBatch, takeFirst } from './dataset';
export type { ImageDataset } from './dataset';
export { loadMnist } from './mnist';
export type { MnistOptions } from './mnist';
export { loadCifar10Parquet, readCifar10Parquet } from './cifar10-parquet';
export { CIFAR10_MEAN, CIFAR10_STD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10, randomCropFlip, readCifar10Files } from './cifar10';
export { batchIndices, batchesPerEpoch, epochOrder } from './batches';
export { DataError } from './errors';
export { readGlueTsv } from './glue';
export type { TextDataset, TsvOptions } from './glue';
export { readSquad, squadExample, squadFeatures } from './squad';
export { readSquadParquet } from './squad-parquet';
export type { SquadExample, SquadFeature, SquadFeatureOptions, SquadTokenizer } from './squad';
export { decodeAnswers, exactMatch, f1Score, normalizeAnswer, squadMetrics } from './squad-eval';
export { GLUE_TASKS, glueScore, isRegression } from './glue-tasks';
export { readGlueParquet } from './glue-parquet';
export type { GlueMetric, GlueTask } from './glue-tasks';
export { binaryF1 } from './metrics/f1';
export { matthewsCorrelation } from './metrics/matthews';
export { pearson } from './metrics/pearson';
export { averageRanks, spearman } from './metrics/spearman';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_FILES,
  fashionMnistSource,
  loadFashionMnist,
  loadFashionMnistParquet,
  readFashionMnistParquet,
  readIdx,
} from './fashion-mnist';
export {
  inTestSplit,
  loadSpamAssassin,
  MAX_CHARS,
  messageText,
  rawSpamAssassin,
  readSpamAssassin,
  SPAM_ASSASSIN_GROUPS,
  SPAM_ASSASSIN_LABELS,
} from './spam-assassin';
export type { SpamAssassinGroup, SpamAssassinMessage, SpamAssassinOptions } from './spam-assassin';
export { BROWN_GROUPINGS, brownDir, loadBrownGenre, passages, PASSAGE_WORDS, readBrown, splitBrown, untag } from './brown';
export type { BrownGrouping } from './brown';
export type { CorpusText } from './brown';
export { checkCorpusSpec, loadTextCorpus, TEXT_CORPORA } from './text-corpus';
export type { TextCorpus } from './text-corpus';
export { CLASSES_KEY, needsNewHead, parseClassSubset, selectClasses } from './class-subset';
export type { ClassSubset } from './class-subset';
