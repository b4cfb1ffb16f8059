import { digamma, logGamma, trigamma } from './special-functions';

/**
 * One event's Beta opinion from its two evidence values (UR2M; Sensoy et al.'s subjective logic for two outcomes):
 * α = e⁺ + 1, β = e⁻ + 1, expected probability p = α / (α + β) and uncertainty mass u = 2 / (α + β) ∈ (0, 1].
 */
export interface BetaOpinion {
  alpha: number;
  beta: number;
  p: number;
  u: number;
}

export function betaOpinion(positiveEvidence: number, negativeEvidence: number): BetaOpinion {
  const alpha = positiveEvidence + 1;
  const beta = negativeEvidence + 1;
  const strength = alpha + beta;
  return { alpha, beta, p: alpha / strength, u: 2 / strength };
}

/** Differential entropy of Beta(α, β): ln B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β); 0 for the uniform Beta(1, 1), negative otherwise. */
export function betaEntropy(alpha: number, beta: number): number {
  const strength = alpha + beta;
  const logBeta = logGamma(alpha) + logGamma(beta) - logGamma(strength);
  return logBeta - (alpha - 1) * digamma(alpha) - (beta - 1) * digamma(beta) + (strength - 2) * digamma(strength);
}

/** ∂H/∂α and ∂H/∂β of betaEntropy: −(α − 1)ψ₁(α) + (α + β − 2)ψ₁(α + β), and the same with β. */
export function betaEntropyGradient(alpha: number, beta: number): [number, number] {
  const shared = (alpha + beta - 2) * trigamma(alpha + beta);
  return [shared - (alpha - 1) * trigamma(alpha), shared - (beta - 1) * trigamma(beta)];
}
