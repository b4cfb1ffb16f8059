import type { Floats } from './wasm/arena';

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam with Keras's defaults (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7) and Keras's update form:
 * α = lr·√(1 − β2^t)/(1 − β1^t), m += (g − m)(1 − β1), v += (g² − v)(1 − β2), p −= α·m/(√v + ε).
 * One moment pair per parameter array (the network's per-layer arrays). The moments and the update are float64 in
 * either precision; a float32 parameter is rounded once when stored.
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private steps = 0;

  constructor(
    private readonly params: readonly Floats[],
    options: AdamOptions = {},
  ) {
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  get iterations(): number {
    return this.steps;
  }

  /** One update from `grads` (same shapes as the params), each multiplied by `gradScale` first (1/batch size). */
  step(grads: readonly Floats[], gradScale = 1): void {
    this.steps++;
    const { beta1, beta2, epsilon } = this;
    const alpha = (this.learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    for (let layer = 0; layer < this.params.length; layer++) {
      const p = this.params[layer];
      const g = grads[layer];
      const m = this.m[layer];
      const v = this.v[layer];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] * gradScale;
        const mi = m[i] + (gi - m[i]) * keep1;
        const vi = v[i] + (gi * gi - v[i]) * keep2;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (alpha * mi) / (Math.sqrt(vi) + epsilon);
      }
    }
  }
}
