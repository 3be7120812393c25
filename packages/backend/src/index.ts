// the names of the kernels the native backend adds; models and the optimizer call them by these names
export {
  FUSED_ADAM_STEP,
  FUSED_ADAM_STEPS,
  FUSED_ADD_LAYER_NORM,
  FUSED_GELU,
  FUSED_HEAD_CONTEXT,
  FUSED_HEAD_SCORES,
  FUSED_LAYER_NORM,
  FUSED_LINEAR,
  FUSED_SOFTMAX,
} from '@ebt/backend-native';
export { nativeSettings } from '@ebt/backend-native';
export { BACKENDS, BackendError, initBackend, parseBackendName } from './backend';
export type { BackendChoice, BackendName, InitBackendOptions } from './backend';
export { readAll } from './read-back';
