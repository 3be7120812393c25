export { BACKEND_NAME, NativeBackend, nativeKernels, registerNativeBackend } from './native-backend';
export { ADDON_PATH, loadAddon, readAddon } from './addon';
export type { AdamHyper, NativeAddon } from './addon';
export { FUSED_ADAM_STEP, FUSED_GELU, FUSED_GELU_GRAD, FUSED_LAYER_NORM, FUSED_LAYER_NORM_GRAD, registerFusedGradients } from './fused';
