export { BACKEND_NAME, NativeBackend, nativeKernels, registerNativeBackend } from './native-backend';
export { ADDON_PATH, loadAddon, readAddon } from './addon';
export type { AdamHyper, NativeAddon } from './addon';
export {
  FUSED_ADAM_STEP,
  FUSED_ADAM_STEPS,
  FUSED_ADD_LAYER_NORM,
  FUSED_GELU,
  FUSED_GELU_GRAD,
  FUSED_LAYER_NORM,
  FUSED_LAYER_NORM_GRAD,
  FUSED_LINEAR,
  FUSED_SOFTMAX,
  FUSED_SOFTMAX_GRAD,
  registerFusedGradients,
} from './fused';
export { FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES } from './head-matmul';
export { PRODUCT_KERNELS } from './products';
export type { ProductShape } from './products';
export { MAX_NATIVE_THREADS, nativeSettings } from './settings';
export type { NativeSettings } from './settings';
