import * as tf from '@tensorflow/tfjs';

/**
 * Kernels that a backend may add beyond tfjs's own (@ebt/backend-native does). A model runs them by name when
 * the active backend has them, and the same maths as ordinary ops otherwise; the names are the contract.
 */
export { FUSED_ADD_LAYER_NORM, FUSED_GELU, FUSED_HEAD_CONTEXT, FUSED_HEAD_SCORES, FUSED_LAYER_NORM, FUSED_LINEAR, FUSED_SOFTMAX } from '@ebt/backend';

export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
