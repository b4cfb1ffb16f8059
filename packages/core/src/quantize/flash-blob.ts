import type { QuantizedModel, QuantizedOp } from './quantized-model';

/**
 * The model's constants as the one flash blob of model/memory.ts (its header comment is the contract), little-endian:
 * model header; per op its header, requantisation arrays, int32 biases and int8 weights padded to 4; the exit table;
 * exp evidence's tables.
 * `sections` says where each array starts, for the C emitter that wires kernel calls to `blob + offset`.
 */
export interface FlashSection {
  /** e.g. `model.header`, `op3.header`, `op3.multiplier`, `op3.bias`, `op3.weights`, `exits`. */
  name: string;
  op: number | null;
  offset: number;
  /** Payload bytes, without padding. */
  bytes: number;
}

export interface FlashBlob {
  bytes: Uint8Array;
  sections: FlashSection[];
}

export function buildFlashBlob(model: QuantizedModel): FlashBlob {
  const writer = new BlobWriter();
  const { input, output } = model.header;
  writer.int32s('model.header', null, [input.zeroPoint, input.multiplier, input.shift, output.zeroPoint, output.multiplier, output.shift]);
  for (const op of model.ops) writeOp(writer, op);
  if (model.exits.length > 0)
    writer.int32s(
      'exits',
      null,
      model.exits.flatMap((row) => [row.evidenceOneQ16, row.thresholdQ15]),
    );
  if (model.exits.some((row) => row.evidenceTable))
    writer.int32s(
      'exits.evidence_tables',
      null,
      model.exits.flatMap((row) => row.evidenceTable ?? []),
    );
  return writer.finish();
}

function writeOp(writer: BlobWriter, op: QuantizedOp): void {
  const name = (part: string) => `op${op.index}.${part}`;
  switch (op.kind) {
    case 'conv1d':
    case 'depthwise1d':
    case 'pointwise1d':
    case 'dense': {
      const r = op.requant;
      writer.int32s(name('header'), op.index, [r.inputZeroPoint, r.outputZeroPoint, r.actMin, r.actMax]);
      writer.int32s(name('multiplier'), op.index, r.multiplier);
      writer.int32s(name('shift'), op.index, r.shift);
      writer.int32s(name('bias'), op.index, op.bias);
      writer.int8s(name('weights'), op.index, op.weights);
      return;
    }
    case 'gru': {
      const r = op.requant;
      writer.int32s(name('header'), op.index, [r.inputZeroPoint, r.outputZeroPoint, r.actMin, r.actMax]);
      writer.int32s(name('kernel_multiplier'), op.index, r.kernelMultiplier);
      writer.int32s(name('kernel_shift'), op.index, r.kernelShift);
      writer.int32s(name('recurrent_multiplier'), op.index, r.recurrentMultiplier);
      writer.int32s(name('recurrent_shift'), op.index, r.recurrentShift);
      writer.int32s(name('output_requant'), op.index, [r.outputMultiplier, r.outputShift]);
      writer.int32s(name('bias'), op.index, op.bias);
      writer.int8s(name('weights'), op.index, op.weights); // kernel then recurrent, one padded array
      return;
    }
    case 'relu':
    case 'relu6': {
      const c = op.clamp;
      writer.int32s(name('header'), op.index, [c.inputZeroPoint, c.outputZeroPoint, c.actMin, c.actMax]);
      return;
    }
    case 'maxpool1d':
    case 'avgpool1d':
    case 'globalavgpool':
      return; // nothing in flash: the output keeps the input's quantisation
  }
}

class BlobWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly sections: FlashSection[] = [];

  int32s(name: string, op: number | null, values: readonly number[]): void {
    const chunk = new Uint8Array(4 * values.length);
    const view = new DataView(chunk.buffer);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new RangeError(`${name}[${i}] = ${v} is not an int32`);
      view.setInt32(4 * i, v, true);
    });
    this.push(name, op, chunk, chunk.length);
  }

  int8s(name: string, op: number | null, values: readonly number[]): void {
    const chunk = new Uint8Array(values.length + ((4 - (values.length % 4)) % 4));
    const view = new DataView(chunk.buffer);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < -128 || v > 127) throw new RangeError(`${name}[${i}] = ${v} is not an int8`);
      view.setInt8(i, v);
    });
    this.push(name, op, chunk, values.length);
  }

  finish(): FlashBlob {
    const bytes = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes, sections: this.sections };
  }

  private push(name: string, op: number | null, chunk: Uint8Array, payload: number): void {
    this.sections.push({ name, op, offset: this.length, bytes: payload });
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}
