/**
 * A small builder for ONNX graphs: nodes, initialisers and graph inputs/outputs as the onnx-proto message objects
 * (the official onnx.proto compiled by protobufjs), encoded by protobufjs. Names are made unique by a counter, so the
 * same sequence of calls gives the same bytes (no maps, no time stamps, no random ids).
 */
import { onnx } from 'onnx-proto';

/** ONNX operator set the exporter writes (QuantizeLinear / DequantizeLinear per-axis need 13). */
export const ONNX_OPSET = 13;
/** IR version 7 is what opset 13 came with; every ONNX Runtime since 1.6 reads it. */
const IR_VERSION = 7;

export type ElementType = 'float' | 'int8' | 'int32' | 'int64';

const DATA_TYPE: Record<ElementType, onnx.TensorProto.DataType> = {
  float: onnx.TensorProto.DataType.FLOAT,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

type AttributeValue = number | number[] | string;

/** A dimension: a size, or a symbolic name (the batch). */
export type Dim = number | string;

export class OnnxGraph {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A fresh value name starting with `stem`. */
  fresh(stem: string): string {
    return `${stem}_${this.counter++}`;
  }

  input(name: string, type: ElementType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElementType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A constant tensor (little-endian raw data). `integer` attributes ('int64' shapes / axes) take plain numbers. */
  constant(stem: string, type: ElementType, dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh(stem);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new RangeError(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
    this.initializers.push({ name, dims, dataType: DATA_TYPE[type], rawData: rawBytes(type, values) });
    return name;
  }

  /** One node; returns its first output's name (outputs named from the op type unless given). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: this.fresh(`${opType}_node`),
      input: inputs,
      output: [out],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return out;
  }

  /**
   * One node with several outputs, named from `stems`; a null stem leaves that optional output unwritten (ONNX's
   * empty name), so the runtime need not produce it. Returns the names, '' for the skipped ones.
   */
  nodeOutputs(opType: string, inputs: string[], stems: (string | null)[], attributes: Record<string, AttributeValue> = {}): string[] {
    const outputs = stems.map((stem) => (stem === null ? '' : this.fresh(stem)));
    this.nodes.push({
      opType,
      name: this.fresh(`${opType}_node`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** The encoded ModelProto. */
  encode(docString: string): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'nx-tinyml',
      docString,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function valueInfo(name: string, type: ElementType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: DATA_TYPE[type], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value };
}

function rawBytes(type: ElementType, values: ArrayLike<number>): Uint8Array {
  const typed =
    type === 'float'
      ? Float32Array.from(values)
      : type === 'int8'
        ? Int8Array.from(values)
        : type === 'int32'
          ? Int32Array.from(values)
          : BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  // Typed arrays are in the platform's byte order; ONNX's raw_data is little-endian (every platform Node runs on is).
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
