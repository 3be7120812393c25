export { exportOnnx, toOnnx } from './export-onnx';
export { GraphBuilder, IR_VERSION, OPSET } from './graph-builder';
