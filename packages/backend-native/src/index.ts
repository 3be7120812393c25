export { BACKEND_NAME, NativeBackend, nativeKernels, registerNativeBackend } from './native-backend';
export { ADDON_PATH, loadAddon } from './addon';
export type { NativeAddon } from './addon';
