import type { ModelIR } from '../src/model/ir';

/**
 * The project's reference 1-D CNN (the prototype the training engine was measured on, DESIGN.md "Training engine"):
 * 120 × 6 IMU window → conv 16 k5 → max-pool 2 → conv 32 k5 → global average pool → dense 1 (sigmoid). Used by
 * benchmarks and by hand-computed tests of the cost and memory models.
 */
export function referenceCnn(outputs = 1): ModelIR {
  return {
    input: { length: 120, channels: 6 },
    layers: [
      { kind: 'conv1d', filters: 16, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'maxpool1d', pool: 2, stride: 2 },
      { kind: 'conv1d', filters: 32, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'globalavgpool' },
      { kind: 'dense', units: outputs, activation: 'none' },
    ],
    head: outputs === 1 ? 'sigmoid' : 'softmax',
  };
}
