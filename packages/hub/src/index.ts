export { hubCacheDir, hubEndpoint, hubOffline, hubToken } from './settings';
export { HubError, repoFolder, snapshot } from './snapshot';
export type { RepoType, Snapshot, SnapshotRequest } from './snapshot';
export { isRepoId, MODEL_EXTRA_FILES, resolveModel } from './model';
export type { ResolveOptions } from './model';
export { CIFAR10_REPO, FASHION_MNIST_REPO, GLUE_REPO, resolveCifar10, resolveFashionMnist, resolveGlue, resolveSquad, SQUAD_REPO } from './dataset';
