export { Random, deriveSeed } from './random';
export { datasetSize, gatherBatch } from './dataset';
export type { ImageDataset } from './dataset';
export { loadMnist } from './mnist';
export type { MnistOptions } from './mnist';
export { CIFAR10_MEAN, CIFAR10_STD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10, randomCropFlip, readCifar10Files } from './cifar10';
export { batchIndices, batchesPerEpoch, epochOrder } from './batches';
export { DataError } from './errors';
