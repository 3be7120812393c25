import { defaultPoolBytes, nativeSettings } from './settings';

/**
 * Recycles the Float32Arrays that native kernels return. Allocating a fresh zero-filled buffer for every
 * kernel output costs as much as the kernel itself and drives V8's external-memory GCs; a disposed tensor's
 * buffer is handed to the next kernel output of the same length instead.
 *
 * A buffer is recycled only while the backend alone can see it: one allocated here, registered under exactly
 * one tensor, never read out (`dataSync()` hands out the backend's own array) and never shared through a view
 * (cpu kernels such as a contiguous slice return `subarray`s of their input).
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly registered = new WeakSet<ArrayBuffer>();
  private pooledBytes = 0;

  /** Up to `maxBytes` of free buffers are kept (default: EBT_NATIVE_POOL_MB, else 1/8 of RAM, at most 4 GiB). */
  constructor(readonly maxBytes = poolBytes()) {}

  /** A buffer of `length` floats with arbitrary contents: the kernel must write every element. */
  allocate(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new Float32Array(length);
    this.owned.add(fresh.buffer);
    return fresh;
  }

  /** A typed array became some tensor's storage. A second tensor on the same memory makes it unrecyclable. */
  register(values: unknown): void {
    const buffer = bufferOf(values);
    if (!buffer || !this.owned.has(buffer)) return;
    if (this.registered.has(buffer) || (values as Float32Array).byteLength !== buffer.byteLength) this.owned.delete(buffer);
    else this.registered.add(buffer);
  }

  /** The array left the backend (read by the user, or by a kernel that may keep it). */
  escape(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer) this.owned.delete(buffer);
  }

  /** The tensor holding `values` was disposed. */
  release(values: unknown): void {
    const buffer = bufferOf(values);
    if (!buffer || !this.owned.has(buffer) || !this.registered.has(buffer)) return;
    this.registered.delete(buffer);
    const array = values as Float32Array;
    if (this.pooledBytes + array.byteLength > this.maxBytes) {
      this.owned.delete(buffer);
      return;
    }
    let list = this.free.get(array.length);
    if (!list) this.free.set(array.length, (list = []));
    list.push(array);
    this.pooledBytes += array.byteLength;
  }

  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }

  get bytes(): number {
    return this.pooledBytes;
  }
}

function poolBytes(): number {
  const settings = nativeSettings();
  return 'problem' in settings ? defaultPoolBytes() : settings.poolBytes; // the CLI refused a bad value before
}

function bufferOf(values: unknown): ArrayBuffer | undefined {
  return values instanceof Float32Array ? (values.buffer as ArrayBuffer) : undefined;
}
