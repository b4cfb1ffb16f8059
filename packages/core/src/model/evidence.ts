import type { EvidenceFunction, ExitUncertainty, ModelIR } from './ir';

/**
 * How an evidential layer's output z becomes evidence e ≥ 0, the one definition the trainer, the quantizer's
 * evidence table, the ONNX export and the docs share.
 *
 * - `relu`: e = max(0, z), inside the evidence layer (activation relu). A unit below zero gets no gradient, so a
 *   window whose correct evidence sits there can never be learned and a unit dead on every window never recovers;
 *   UR2M's form, kept for the models trained with it.
 * - `exp`: e = exp(min(z, EXP_EVIDENCE_MAX_LOGIT)) after a linear evidence layer (activation none). Every window
 *   keeps a gradient (de/dz = e), as Pandey & Yu (ICML 2023) argue against ReLU's zero-evidence region. The cap
 *   keeps e below the firmware table's largest entry (see quantize/evidence-table.ts). Evidence scaling s·e =
 *   exp(z + ln s) folds into the layer's bias, so it costs nothing either.
 */
export const EXP_EVIDENCE_MAX_LOGIT = 9;

export function evidenceFunctionOf(ir: Pick<ModelIR, 'evidence'>): EvidenceFunction {
  return ir.evidence ?? 'relu';
}

export function exitUncertaintyOf(ir: Pick<ModelIR, 'exitUncertainty'>): ExitUncertainty {
  return ir.exitUncertainty ?? 'vacuity';
}

/** e of an exp evidence layer's output z. */
export function expEvidence(z: number): number {
  return Math.exp(Math.min(z, EXP_EVIDENCE_MAX_LOGIT));
}

/** de/dz of expEvidence: e below the cap, 0 above it. */
export function expEvidenceSlope(z: number): number {
  return z < EXP_EVIDENCE_MAX_LOGIT ? Math.exp(z) : 0;
}
