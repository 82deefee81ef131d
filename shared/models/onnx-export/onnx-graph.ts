import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The ONNX operator set the exporter writes (ai.onnx, the default domain): ReduceMean still takes `axes` as an attribute. */
export const ONNX_OPSET = 17;
/** ONNX IR version 8, the one that opset 17 was released with. */
const IR_VERSION = 8;

const root = protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
const ModelProto = root.lookupType('onnx.ModelProto');

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;
const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** Integers are INT (lists: INTS), strings STRING, `{ float }` FLOAT. */
export type AttributeValue = number | string | number[] | { float: number };

/** A dimension of a graph input or output: fixed, or named and free (dynamic). */
export type Dimension = number | string;

interface Attribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
}

function attribute(name: string, value: AttributeValue): Attribute {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`onnx export: attribute ${name} = ${value} is not an integer (write { float } for a float)`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function valueInfo(name: string, shape: Dimension[] | undefined) {
  if (!shape) return { name, type: { tensorType: { elemType: DataType.FLOAT } } };
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/**
 * An ONNX graph under construction: nodes in topological order, weights as initializers, and
 * unique tensor names; `encode` writes the ModelProto bytes.
 */
export class OnnxGraph {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly name: string) {}

  /** `base`, or `base_2`, `base_3`… when that name is taken. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  input(name: string, shape: Dimension[]): string {
    const unique = this.uniqueName(name);
    this.inputs.push(valueInfo(unique, shape));
    return unique;
  }

  /** Marks `tensor` as a graph output named `name` (through an Identity when the names differ); shape undefined: any. */
  output(tensor: string, name: string, shape: Dimension[] | undefined): string {
    const unique = this.uniqueName(name);
    this.nodes.push({ opType: 'Identity', name: unique, input: [tensor], output: [unique] });
    this.outputs.push(valueInfo(unique, shape));
    return unique;
  }

  /** A float32 weight of the given shape (row-major). */
  floats(name: string, dims: number[], values: Float32Array | number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`onnx export: ${name} has ${data.length} values for shape [${dims.join(', ')}]`);
    return this.initializer(name, dims, DataType.FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** An int8 weight (quantized kernels). */
  int8s(name: string, dims: number[], values: Int8Array): string {
    return this.initializer(name, dims, DataType.INT8, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  /** A uint8 constant (activation zero points). */
  uint8s(name: string, dims: number[], values: Uint8Array): string {
    return this.initializer(name, dims, DataType.UINT8, values);
  }

  /** An int32 constant (quantized biases, their zero points). */
  int32s(name: string, dims: number[], values: Int32Array): string {
    return this.initializer(name, dims, DataType.INT32, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  /** An int64 constant (pads, shapes). */
  int64s(name: string, values: number[]): string {
    return this.initializer(name, [values.length], DataType.INT64, new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
  }

  private initializer(name: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    const unique = this.uniqueName(name);
    // raw_data is little-endian per the ONNX spec; typed arrays are host-endian, little on every platform Node ships for.
    this.initializers.push({ name: unique, dims, dataType, rawData: Uint8Array.from(rawData) });
    return unique;
  }

  /** Adds one node; returns its output tensor's name. An empty input name is an omitted optional input. */
  node(opType: string, inputs: string[], outputName: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.uniqueName(outputName);
    this.nodes.push({
      opType,
      name: output,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  encode(metadata: Record<string, string> = {}): Uint8Array {
    const model = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'animebot',
      producerVersion: '1',
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
    const problem = ModelProto.verify(model);
    if (problem) throw new Error(`onnx export: invalid ModelProto: ${problem}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
