/**
 * ONNX export of a quantised cascade, for tools outside the pipeline (ONNX Runtime, Netron, STM32Cube.AI, Edge
 * Impulse's bring-your-own-model):
 * - `model.onnx`: the deployed float op list (batch-norms folded, activations fused — what quantize calibrated), in
 *   float32. Input `input` [batch, T, C]: the z-scored window, time-major as the window store and the firmware hold
 *   it.
 * - `model.int8.onnx`: the same graph in QDQ form: input `input_int8` [batch, T, C] int8 (the firmware's input),
 *   int8 per-channel weights and int32 biases through DequantizeLinear, every op's output through QuantizeLinear /
 *   DequantizeLinear with the int8 model's scale and zero point — ONNX Runtime fuses these into its integer kernels.
 * Every exit is an output, named by its run order k (0 = the shallowest, the last = the backbone's): for evidential
 * heads `exit{k}_evidence` [batch, 2E] (e⁺, e⁻ per event, float), `exit{k}_p` = α / (α + β) and `exit{k}_u` =
 * 2 / (α + β) [batch, E] with α = e⁺ + 1, β = e⁻ + 1; the int8 model adds `exit{k}_evidence_int8`, the quantised
 * evidence the firmware's fixed-point p / u start from (with exp evidence: the quantised z the firmware's table maps). Sigmoid / softmax heads give `exit{k}_logits` and
 * `exit{k}_probabilities`. The exit thresholds (the cascade's early stop) are not in the graph: ONNX has no early
 * exit; they are in quantized-model.json. GRU layers become ONNX GRU ops (gruLayer).
 * Inside, tensors are [batch, C, T] (ONNX's Conv layout); dense layers flatten in the window store's time-major
 * order, as the trainer does.
 */
import { evidenceFunctionOf, EXP_EVIDENCE_MAX_LOGIT } from '../../model/evidence';
import type { DeployedOp } from '../../model/ops';
import { lowerToOps } from '../../model/ops';
import { foldedOpParams } from '../fold';
import { cascadeWeights, ModelWeights } from '../model-weights';
import type { QuantizedGruOp, QuantizedLinearOp, QuantizedModel, QuantizedOp } from '../quantized-model';
import { OnnxGraph } from './onnx-graph';

export interface OnnxModels {
  /** model.onnx */
  float: Uint8Array;
  /** model.int8.onnx */
  int8: Uint8Array;
}

const BATCH = 'batch';

export function exportOnnx(model: QuantizedModel, weights: ModelWeights): OnnxModels {
  const ops = lowerToOps(model.ir);
  const folded = foldedOpParams(ops, cascadeWeights(model.ir, weights));
  return { float: buildGraph(model, ops, folded, 'float'), int8: buildGraph(model, ops, folded, 'int8') };
}

type Mode = 'float' | 'int8';

function buildGraph(model: QuantizedModel, ops: readonly DeployedOp[], folded: readonly Float64Array[], mode: Mode): Uint8Array {
  const g = new OnnxGraph(mode === 'float' ? 'nx_tinyml_float' : 'nx_tinyml_int8');
  const [length, channels] = model.tensors[0].shape;
  const quantized = mode === 'int8';
  /** Per tensor: its float value [batch, C, T]; in int8 mode also the int8 value it was dequantised from. */
  const values: string[] = [];
  const int8Values: string[] = [];
  const q = (t: number) => ({
    scale: g.constant('scale', 'float', [], [model.tensors[t].scale]),
    zero: g.constant('zero_point', 'int8', [], [model.tensors[t].zeroPoint]),
  });
  let input: string;
  if (quantized) {
    const raw = g.input('input_int8', 'int8', [BATCH, length, channels]);
    const { scale, zero } = q(0);
    input = g.node('DequantizeLinear', [raw, scale, zero]);
    int8Values[0] = raw;
  } else {
    input = g.input('input', 'float', [BATCH, length, channels]);
  }
  values[0] = g.node('Transpose', [input], { perm: [0, 2, 1] });
  for (const op of model.ops) {
    const y = lowerOp(g, op, ops[op.index], folded[op.index], values[op.input], model, mode);
    if (quantized) {
      const { scale, zero } = q(op.index + 1);
      int8Values[op.index + 1] = g.node('QuantizeLinear', [y, scale, zero]);
      values[op.index + 1] = g.node('DequantizeLinear', [int8Values[op.index + 1], scale, zero]);
    } else {
      values[op.index + 1] = y;
    }
    if (op.exit !== null) exitOutputs(g, model, op, values[op.index + 1], quantized ? int8Values[op.index + 1] : null);
  }
  const doc = `nx-tinyml ${mode === 'float' ? 'float' : 'int8 QDQ'} export of a ${model.ir.head} model with ${model.exits.length || 1} exit(s)`;
  return g.encode(doc);
}

function lowerOp(g: OnnxGraph, op: QuantizedOp, deployed: DeployedOp, params: Float64Array, x: string, model: QuantizedModel, mode: Mode): string {
  const [inLength, inChannels] = op.inputShape;
  const [outLength, outChannels] = op.outputShape;
  switch (op.kind) {
    case 'conv1d':
    case 'depthwise1d':
    case 'pointwise1d': {
      const kernel = op.kind === 'pointwise1d' ? 1 : op.kernel;
      const stride = op.kind === 'pointwise1d' ? 1 : op.stride;
      const padBefore = op.kind === 'pointwise1d' ? 0 : op.padBefore;
      const padAfter = Math.max(0, (outLength - 1) * stride + kernel - inLength - padBefore);
      const depthwise = op.kind === 'depthwise1d';
      // ONNX Conv weights [F, C/group, k] from ours: conv [k][C][F], depthwise [k][C], pointwise [C][F].
      const rowsPerFilter = depthwise ? 1 : inChannels;
      const at = (f: number, c: number, k: number) => (depthwise ? k * inChannels + f : (k * inChannels + c) * outChannels + f);
      const order: number[] = [];
      for (let f = 0; f < outChannels; f++) for (let c = 0; c < rowsPerFilter; c++) for (let k = 0; k < kernel; k++) order.push(at(f, c, k));
      const { weight, bias } = linearInputs(g, op, params, order, [outChannels, rowsPerFilter, kernel], 0, model, mode);
      const y = g.node('Conv', [x, weight, bias], {
        kernel_shape: [kernel],
        strides: [stride],
        pads: [padBefore, padAfter],
        group: depthwise ? inChannels : 1,
      });
      return activation(g, y, deployed.activation);
    }
    case 'dense': {
      const inputs = inLength * inChannels;
      const timeMajor = g.node('Transpose', [x], { perm: [0, 2, 1] });
      const flat = g.node('Flatten', [timeMajor], { axis: 1 });
      const order = Array.from({ length: inputs * outChannels }, (_, i) => i); // ours is already [inputs][units]
      const { weight, bias } = linearInputs(g, op, params, order, [inputs, outChannels], 1, model, mode);
      const y = g.node('Gemm', [flat, weight, bias]);
      const unsqueezed = g.node('Unsqueeze', [y, g.constant('axes', 'int64', [1], [2])]);
      return activation(g, unsqueezed, deployed.activation);
    }
    case 'maxpool1d':
      return g.node('MaxPool', [x], { kernel_shape: [op.pool], strides: [op.stride] });
    case 'avgpool1d':
      return g.node('AveragePool', [x], { kernel_shape: [op.pool], strides: [op.stride] });
    case 'globalavgpool':
      return g.node('GlobalAveragePool', [x]);
    case 'relu':
    case 'relu6':
      return activation(g, x, op.kind);
    case 'gru':
      return gruLayer(g, op, params, x, model, mode);
  }
}

/**
 * A GRU as ONNX's GRU op. Ours is Keras's `reset_after = true`: gates z, r, h (ONNX's order too), the reset gate
 * applied to h·U_h + b_rec_h — ONNX's `linear_before_reset = 1` — and h' = z ⊙ h + (1 − z) ⊙ ĥ, σ and tanh (ONNX's
 * default activations), initial state zero (no `initial_h`). ONNX's B [1, 6u] is [Wb | Rb], our bias rows [2][3u] as
 * they are; W [1, 3u, C] and R [1, 3u, u] are our kernel [C][3u] and recurrent [u][3u] transposed. ONNX's GRU reads
 * [T, batch, C] and writes Y [T, 1, batch, u] and Y_h [1, batch, u]: the whole sequence is Y, the last state Y_h.
 * In int8 mode the GRU runs in float on the dequantised input, weights and biases (the firmware's GRU is integer
 * with fixed-point σ / tanh, which ONNX has no QDQ form of); its output goes through QuantizeLinear /
 * DequantizeLinear like every op's.
 */
function gruLayer(g: OnnxGraph, op: QuantizedGruOp, params: Float64Array, x: string, model: QuantizedModel, mode: Mode): string {
  const inChannels = op.inputShape[1];
  const units = op.units;
  const gates = 3 * units;
  const recurrentStart = inChannels * gates;
  // ONNX's [3u][n] from ours [n][3u] starting at `start`: element (k, i) is ours at start + i·3u + k.
  const transposed = (start: number, n: number) => {
    const order: number[] = [];
    for (let k = 0; k < gates; k++) for (let i = 0; i < n; i++) order.push(start + i * gates + k);
    return order;
  };
  const kernelOrder = transposed(0, inChannels);
  const recurrentOrder = transposed(recurrentStart, units);
  let weight: string, recurrent: string, bias: string;
  if (mode === 'float') {
    weight = g.constant(
      'gru_weight',
      'float',
      [1, gates, inChannels],
      kernelOrder.map((i) => params[i]),
    );
    recurrent = g.constant(
      'gru_recurrent',
      'float',
      [1, gates, units],
      recurrentOrder.map((i) => params[i]),
    );
    bias = g.constant('gru_bias', 'float', [1, 2 * gates], params.subarray(recurrentStart + units * gates));
  } else {
    // Per gate column: the int8 matrices' scales along ONNX's axis 1 (the 3u rows), the biases at their
    // accumulators' scales (row 0 s_x·s_W[k], row 1 2^−15·s_U[k], quantized-model.ts).
    const dequantized = (stem: string, dims: number[], values: number[], scales: number[]) =>
      g.node(
        'DequantizeLinear',
        [
          g.constant(`${stem}_int8`, 'int8', dims, values),
          g.constant(`${stem}_scale`, 'float', [gates], scales),
          g.constant(`${stem}_zero_point`, 'int8', [gates], new Array<number>(gates).fill(0)),
        ],
        { axis: 1 },
      );
    weight = dequantized(
      'gru_weight',
      [1, gates, inChannels],
      kernelOrder.map((i) => op.weights[i]),
      op.kernelScales,
    );
    recurrent = dequantized(
      'gru_recurrent',
      [1, gates, units],
      recurrentOrder.map((i) => op.weights[i]),
      op.recurrentScales,
    );
    const inputScale = model.tensors[op.input].scale;
    const biasScales = [...op.kernelScales.map((s) => inputScale * s), ...op.recurrentScales.map((s) => s / 32768)];
    bias = g.node(
      'DequantizeLinear',
      [
        g.constant('gru_bias_int32', 'int32', [1, 2 * gates], op.bias),
        g.constant('gru_bias_scale', 'float', [2 * gates], biasScales),
        g.constant('gru_bias_zero_point', 'int32', [2 * gates], new Array<number>(2 * gates).fill(0)),
      ],
      { axis: 1 },
    );
  }
  const sequence = g.node('Transpose', [x], { perm: [2, 0, 1] }); // [batch, C, T] → [T, batch, C]
  const [allStates, lastState] = g.nodeOutputs(
    'GRU',
    [sequence, weight, recurrent, bias],
    op.returnSequences ? ['gru_states', null] : [null, 'gru_last_state'],
    { hidden_size: units, linear_before_reset: 1 },
  );
  if (!op.returnSequences) return g.node('Transpose', [lastState], { perm: [1, 2, 0] }); // [1, batch, u] → [batch, u, 1]
  const states = g.node('Squeeze', [allStates, g.constant('axes', 'int64', [1], [1])]); // [T, 1, batch, u] → [T, batch, u]
  return g.node('Transpose', [states], { perm: [1, 2, 0] }); // → [batch, u, T]
}

/**
 * The weight and bias inputs of a linear op: float32 folded parameters, or int8 weights (per-channel scales along
 * `axis`) and int32 biases (scale s_in·s_w[c]) through DequantizeLinear. `order[i]` is the index in our layout of
 * the i-th element of ONNX's.
 */
function linearInputs(
  g: OnnxGraph,
  op: QuantizedLinearOp,
  params: Float64Array,
  order: number[],
  dims: number[],
  axis: number,
  model: QuantizedModel,
  mode: Mode,
) {
  const channels = op.bias.length;
  if (mode === 'float') {
    const weightCount = params.length - channels;
    return {
      weight: g.constant(
        'weight',
        'float',
        dims,
        order.map((i) => params[i]),
      ),
      bias: g.constant('bias', 'float', [channels], params.subarray(weightCount)),
    };
  }
  const inputScale = model.tensors[op.input].scale;
  const weight = g.node(
    'DequantizeLinear',
    [
      g.constant(
        'weight_int8',
        'int8',
        dims,
        order.map((i) => op.weights[i]),
      ),
      g.constant('weight_scale', 'float', [channels], op.weightScales),
      g.constant('weight_zero_point', 'int8', [channels], new Array<number>(channels).fill(0)),
    ],
    { axis },
  );
  const bias = g.node(
    'DequantizeLinear',
    [
      g.constant('bias_int32', 'int32', [channels], op.bias),
      g.constant(
        'bias_scale',
        'float',
        [channels],
        op.weightScales.map((s) => inputScale * s),
      ),
      g.constant('bias_zero_point', 'int32', [channels], new Array<number>(channels).fill(0)),
    ],
    { axis: 0 },
  );
  return { weight, bias };
}

function activation(g: OnnxGraph, x: string, kind: 'none' | 'relu' | 'relu6'): string {
  if (kind === 'relu') return g.node('Relu', [x]);
  if (kind === 'relu6') return g.node('Clip', [x, g.constant('min', 'float', [], [0]), g.constant('max', 'float', [], [6])]);
  return x;
}

/** The outputs of exit op.exit from its prediction tensor [batch, units, 1]. */
function exitOutputs(g: OnnxGraph, model: QuantizedModel, op: QuantizedOp, value: string, int8Value: string | null): void {
  const k = op.exit as number;
  const units = op.outputShape[1];
  const flat = g.node('Flatten', [value], { axis: 1 });
  if (model.ir.head !== 'evidential') {
    g.node('Identity', [flat], {}, `exit${k}_logits`);
    g.node(model.ir.head === 'sigmoid' ? 'Sigmoid' : 'Softmax', [flat], model.ir.head === 'softmax' ? { axis: 1 } : {}, `exit${k}_probabilities`);
    g.output(`exit${k}_logits`, 'float', ['batch', units]);
    g.output(`exit${k}_probabilities`, 'float', ['batch', units]);
    return;
  }
  const events = units / 2;
  // Exp evidence (model/evidence.ts): the layer gives z, the evidence is exp(min(z, cap)).
  const evidence =
    evidenceFunctionOf(model.ir) === 'exp' ? g.node('Exp', [g.node('Min', [flat, g.constant('cap', 'float', [], [EXP_EVIDENCE_MAX_LOGIT])])]) : flat;
  g.node('Identity', [evidence], {}, `exit${k}_evidence`);
  g.output(`exit${k}_evidence`, 'float', ['batch', units]);
  if (int8Value !== null) {
    g.node('Flatten', [int8Value], { axis: 1 }, `exit${k}_evidence_int8`);
    g.output(`exit${k}_evidence_int8`, 'int8', ['batch', units]);
  }
  // α = e⁺ + 1, β = e⁻ + 1 per event: [batch, E, 2]; p = α / (α + β), u = 2 / (α + β).
  const pairs = g.node('Reshape', [g.node('Add', [evidence, g.constant('one', 'float', [], [1])]), g.constant('shape', 'int64', [3], [0, events, 2])]);
  const total = g.node('ReduceSum', [pairs, g.constant('axes', 'int64', [1], [2])], { keepdims: 0 });
  const alpha = g.node('Gather', [pairs, g.constant('index', 'int64', [], [0])], { axis: 2 });
  g.node('Div', [alpha, total], {}, `exit${k}_p`);
  g.node('Div', [g.constant('two', 'float', [], [2]), total], {}, `exit${k}_u`);
  g.output(`exit${k}_p`, 'float', ['batch', events]);
  g.output(`exit${k}_u`, 'float', ['batch', events]);
}
