/**
 * Test support (not used by the pipeline): runs the exported ONNX files in ONNX Runtime (onnxruntime-node, a dev
 * dependency) and compares them with the float op list (FloatOps) and the integer reference interpreter — the float
 * evidence / logits of every exit, the int8 ones step by step, and each exit's decision. Used by onnx-export.test.ts
 * (test models) and stages/quantize.test.ts (a trained cascade on real windows).
 */
import * as ort from 'onnxruntime-node';
import { evidenceFunctionOf, expEvidence } from '../../src/model/evidence';
import { lowerToOps } from '../../src/model/ops';
import { FloatOps } from '../../src/quantize/float-ops';
import { foldedOpParams } from '../../src/quantize/fold';
import { runQuantized } from '../../src/quantize/interpreter';
import { cascadeWeights, ModelWeights } from '../../src/quantize/model-weights';
import type { QuantizedModel } from '../../src/quantize/quantized-model';
import { quantizeValue } from '../../src/quantize/tensor-quant';
import { exportOnnx, OnnxModels } from '../../src/quantize/onnx/onnx-export';

/** Runs both exported models on the windows and compares them with the engine and the interpreter. */
export async function compareWithOnnxRuntime(
  model: QuantizedModel,
  weights: ModelWeights,
  windows: readonly Float64Array[],
  files: OnnxModels = exportOnnx(model, weights),
) {
  const ops = lowerToOps(model.ir);
  const float = new FloatOps(ops, foldedOpParams(ops, cascadeWeights(model.ir, weights)));
  const floatSession = await ort.InferenceSession.create(files.float);
  const int8Session = await ort.InferenceSession.create(files.int8);
  const [length, channels] = model.tensors[0].shape;
  const exitTensors = model.exits.length > 0 ? model.exits.map((row) => row.tensor) : [model.tensors.length - 1];
  const evidential = model.ir.head === 'evidential';
  const exp = evidential && evidenceFunctionOf(model.ir) === 'exp';
  let maxFloatError = 0;
  let maxSteps = 0;
  let outputs = 0;
  let offByOne = 0;
  let decisions = 0;
  let agreeing = 0;
  for (const window of windows) {
    const floatRun = await floatSession.run({ input: new ort.Tensor('float32', Float32Array.from(window), [1, length, channels]) });
    const engine = float.run(window);
    const input = Int8Array.from(window, (v) => quantizeValue(v, model.tensors[0]));
    const reference = runQuantized(model, input, { runAllExits: true });
    const int8Run = await int8Session.run({ input_int8: new ort.Tensor('int8', input, [1, length, channels]) });
    exitTensors.forEach((tensor, k) => {
      const name = evidential ? `exit${k}_evidence` : `exit${k}_logits`;
      const onnxFloat = floatRun[name].data as Float32Array;
      // Exp evidence: the export's evidence is exp(z) of the engine's z, compared relative to max(1, e) (float32).
      engine[tensor].forEach((v, i) => {
        const e = exp ? expEvidence(v) : v;
        maxFloatError = Math.max(maxFloatError, Math.abs(onnxFloat[i] - e) / (exp ? Math.max(1, e) : 1));
      });
      const expected = reference.tensors[tensor] as Int8Array;
      const got = evidential
        ? (int8Run[`exit${k}_evidence_int8`].data as Int8Array)
        : Int8Array.from(int8Run[name].data as Float32Array, (v) => Math.round(v / model.tensors[tensor].scale) + model.tensors[tensor].zeroPoint);
      expected.forEach((v, i) => {
        const steps = Math.abs(got[i] - v);
        maxSteps = Math.max(maxSteps, steps);
        outputs++;
        if (steps === 1) offByOne++;
      });
      decisions++;
      if (evidential) {
        const p = int8Run[`exit${k}_p`].data as Float32Array;
        const estimate = reference.exits.find((e) => e.exit === k)!.estimate;
        if (decisionOf(Array.from(p)) === decisionOf(estimate.events.map((e) => e.pQ15 / 32768))) agreeing++;
      } else if (headDecision(got, model.tensors[tensor].zeroPoint, model.ir.head) === headDecision(expected, model.tensors[tensor].zeroPoint, model.ir.head))
        agreeing++;
    });
  }
  return { maxFloatError, maxSteps, offByOne, outputs, agreement: agreeing / decisions, decisions };
}

/** 0 = no event, 1 + j = event j: the highest p above one half. */
function decisionOf(p: number[]): number {
  let best = 0;
  p.forEach((v, j) => {
    if (v > 0.5 && (best === 0 || v > p[best - 1])) best = j + 1;
  });
  return best;
}

/**
 * A sigmoid head decides per unit (logit above zero, p > ½: the units as a bit string), a softmax head by argmax. The
 * argmax of a single sigmoid logit would always be 0, agreeing whatever the logit.
 */
function headDecision(logits: Int8Array, zeroPoint: number, head: string): string {
  return head === 'sigmoid' ? Array.from(logits, (v) => (v > zeroPoint ? '1' : '0')).join('') : String(argmax(logits));
}

const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
