import * as tf from '@tensorflow/tfjs';

/** Elements joined into one read at most (64 MB of float32): below every GPU's storage-buffer binding limit. */
const JOIN_LIMIT = 1 << 24;

/**
 * Reads tensors back to the host together. Small ones are flattened and joined into one float32 tensor per
 * 64 MB, each group read with one `data()`, all groups in flight at once and awaited together; the values
 * are then cut apart (copies, so the joined buffers can go). A GPU backend cannot read synchronously in Node
 * (tfjs-backend-webgpu's dataSync goes through an OffscreenCanvas), and each separate read waits for the
 * device, so the training loop reads all it needs at a step through this: one transfer. (`joinLimit`, in
 * elements, is there for the tests.)
 * Integer tensors come back as float32 (exact below 2^24, which counts and ids are).
 */
export async function readAll(tensors: readonly tf.Tensor[], joinLimit = JOIN_LIMIT): Promise<Float32Array[]> {
  const groups: tf.Tensor[][] = [];
  let size = Infinity;
  for (const t of tensors) {
    if (size + t.size > joinLimit) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(t);
    size += t.size;
  }
  const reads = groups.map(async (group) => {
    // a float32 tensor alone in its group (a large one) is read as it is, not copied on the device first
    const alone = group.length === 1 && group[0].dtype === 'float32';
    const joined = alone ? group[0] : tf.tidy(() => tf.concat(group.map((t) => t.toFloat().reshape([-1]))));
    try {
      // the cpu backend casts int32 to float32 by sharing the Int32Array: copy into float32 whatever comes back
      const values = (await joined.data()) as Float32Array | Int32Array;
      let offset = 0;
      return group.map((t) => new Float32Array(values.subarray(offset, (offset += t.size))));
    } finally {
      if (!alone) joined.dispose();
    }
  });
  return (await Promise.all(reads)).flat();
}
