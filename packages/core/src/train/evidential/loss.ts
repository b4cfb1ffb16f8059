import { betaEntropy, betaEntropyGradient } from './beta';

/**
 * Which evidence the regulariser pulls back to Beta(1, 1). `misleading` (Sensoy et al. 2018): only the evidence
 * for the wrong answer — the KL term sees Beta(1, β) when the window is the event and Beta(α, 1) when it is not —
 * so evidence the data supports can grow and a clear answer reaches p near 0 or 1. `all`: the whole Beta, which
 * also holds back correct evidence (UR2M's form; evidence scaling afterwards restores the confidence it costs).
 */
export type EvidenceRegularizer = 'misleading' | 'all';

/**
 * The evidential loss of one window over E one-vs-all events (UR2M Eq. 8 in the form we implement):
 *
 *   L = Σ_j w_j(y_j) · [ BCE(y_j, p_j) − λ_t · H(Beta(α_j, β_j)) ]
 *
 * with α_j = e⁺_j + 1, β_j = e⁻_j + 1, the Beta mean p_j = α_j / (α_j + β_j), BCE(y, p) = −y ln p − (1 − y) ln(1 − p)
 * = ln(α + β) − y ln α − (1 − y) ln β, and H the Beta's differential entropy (≤ 0, 0 only for Beta(1, 1)). Since the
 * uniform density is 1, −H is exactly KL(Beta(α, β) ‖ Beta(1, 1)): the regulariser pulls evidence that the data
 * term does not need back towards "I don't know", which is what makes u meaningful. w_j(y) is the event's class
 * weight n / (2·n_y) over the training windows (1 with weighting off), applied to both terms so that the rare
 * class's windows count as much as the common one's. λ is annealed: λ_t = λ · min(1, epoch / annealEpochs).
 *
 * With `regularizer` 'misleading' the KL term is taken of Beta(1, β) for y = 1 and of Beta(α, 1) for y = 0 (see
 * EvidenceRegularizer). `evidence` is the head's output [e⁺_0, e⁻_0, e⁺_1, e⁻_1, ...] (already through ReLU); `targets[j]` is 1 when the
 * window is event j; `weights[j]` holds w_j(0), w_j(1). Writes dL/d(evidence) into `evidenceGrad`, returns L.
 */
export function evidentialLoss(
  evidence: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: readonly (readonly [number, number])[],
  lambda: number,
  evidenceGrad: Float64Array | number[],
  regularizer: EvidenceRegularizer = 'all',
): number {
  let loss = 0;
  for (let j = 0; j < targets.length; j++) {
    const alpha = evidence[2 * j] + 1;
    const beta = evidence[2 * j + 1] + 1;
    const strength = alpha + beta;
    const y = targets[j];
    const w = weights[j][y];
    const bce = Math.log(strength) - y * Math.log(alpha) - (1 - y) * Math.log(beta);
    let dAlpha = 1 / strength - y / alpha;
    let dBeta = 1 / strength - (1 - y) / beta;
    let term = bce;
    if (lambda > 0) {
      // The regularised Beta; its α (β) is the constant 1 when the correct evidence is left out.
      const keepAlpha = regularizer === 'all' || y === 0;
      const keepBeta = regularizer === 'all' || y === 1;
      const a = keepAlpha ? alpha : 1;
      const b = keepBeta ? beta : 1;
      term -= lambda * betaEntropy(a, b);
      const [hAlpha, hBeta] = betaEntropyGradient(a, b);
      if (keepAlpha) dAlpha -= lambda * hAlpha;
      if (keepBeta) dBeta -= lambda * hBeta;
    }
    loss += w * term;
    // α and β are evidence + 1: their gradients are the evidence's.
    evidenceGrad[2 * j] = w * dAlpha;
    evidenceGrad[2 * j + 1] = w * dBeta;
  }
  return loss;
}

/** λ_t of the annealing schedule: λ · min(1, epoch / annealEpochs), epoch counted from 1; annealEpochs 0 means no annealing. */
export function annealedLambda(lambda: number, epoch: number, annealEpochs: number): number {
  return annealEpochs <= 0 ? lambda : lambda * Math.min(1, epoch / annealEpochs);
}
