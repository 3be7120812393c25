import { onnx } from 'onnx-proto';

/** ONNX 1.12's IR version and the default domain's opset it pairs with (LayerNormalization needs 17). */
export const IR_VERSION = 8;
export const OPSET = 17;

export type AttributeValue = number | number[] | string | { ints: number[] } | { float: number };
type Dim = number | string;

/**
 * Collects nodes, initializers, inputs and outputs of one graph and serializes it with the onnx-proto
 * schema. Every value gets a fresh name (`op_N`), so a model's forward pass reads as a chain of calls.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  input(name: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, value: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): void {
    this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** A float32 initializer; `name` keeps the checkpoint's parameter name where there is one. */
  float(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: bytes(data) });
    return name;
  }

  /** An int64 constant (shapes, axes, indices); a scalar when `dims` is []. */
  int64(values: number[], dims: number[] = [values.length]): string {
    const name = `const_${this.counter++}`;
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims, rawData: bytes(BigInt64Array.from(values, BigInt)) });
    return name;
  }

  scalar(value: number): string {
    const name = `const_${this.counter++}`;
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], rawData: bytes(Float32Array.of(value)) });
    return name;
  }

  /** Adds one node and returns the name of its (first) output. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType,
      name: `${opType}_${this.counter++}`,
      input: inputs,
      output: [out],
      attribute: Object.entries(attributes).map(([name, v]) => attribute(name, v)),
    });
    return out;
  }

  toModel(graphName: string, producer: { name: string; version: string }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: producer.name,
      producerVersion: producer.version,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function bytes(a: Float32Array | BigInt64Array): Uint8Array {
  // protobuf raw_data is little-endian, as every platform Node runs on
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(name: string, elemType: onnx.TensorProto.DataType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, v: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('ints' in v) return { name, type: T.INTS, ints: v.ints };
  return { name, type: T.FLOAT, f: v.float };
}
