// onnxruntime-node's native binding creates its output arrays in Node's own realm, and onnxruntime-common
// checks them with `instanceof Float32Array` inside jest's sandbox realm, where that is false. The
// sandbox here shares the typed-array constructors of the outer realm so the check sees one class.
const { TestEnvironment } = require('jest-environment-node');

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      'Float32Array',
      'Float64Array',
      'Int8Array',
      'Uint8Array',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'BigInt64Array',
      'BigUint64Array',
      'ArrayBuffer',
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = OnnxEnvironment;
