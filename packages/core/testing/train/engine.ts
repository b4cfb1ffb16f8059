import { Random } from '../../src/common/random';
import type { ModelIR } from '../../src/model/ir';
import type { FoldData } from '../../src/train/dataset';
import { headTargets, lossWeights } from '../../src/train/head-targets';
import type { Metrics } from '../../src/train/metrics';
import { Network, type NetworkWeights } from '../../src/train/network';
import { evaluateModel, trainModel } from '../../src/train/trainer';
import { runTraining, score, type TrainOptions, type TrainResult } from '../../src/train/training-loop';

/** A training backend. Both engines take and return weights in the IR's flat per-layer layout. */
export interface Engine {
  readonly name: string;
  train(ir: ModelIR, data: FoldData, options: TrainOptions): Promise<TrainResult>;
  evaluate(ir: ModelIR, weights: NetworkWeights, data: FoldData, windows: Uint32Array, positiveClass?: number): Promise<Metrics>;
}

/** Our engine: float32 or float64 (TrainOptions.precision) forward/backward over the IR, deterministic, no dependencies. The default. */
export const irEngine: Engine = {
  name: 'ir',
  train: (ir, data, options) => Promise.resolve(trainModel(ir, data, options)),
  evaluate: (ir, weights, data, windows, positiveClass) => Promise.resolve(evaluateModel(ir, weights, data, windows, positiveClass)),
};

/**
 * tfjs behind the same interface: tfjs-node when it loads, else tfjs's CPU backend (slow: DESIGN.md measured ~20
 * samples/s on the reference CNN). Starts from the same initial weights as the IR engine for the same seed and sees
 * the same batches; it differs by float32 arithmetic and autodiff. `native: false` skips tfjs-node.
 */
export function tfjsEngine(options: { native?: boolean } = {}): Engine {
  return {
    name: 'tfjs',
    async train(ir, data, trainOptions) {
      const { loadTfjs } = await import('../tfjs-oracle/load');
      const { buildTfjsModel } = await import('../tfjs-oracle/model');
      const { TfjsTrainable } = await import('../tfjs-oracle/trainable');
      const { tf } = await loadTfjs(options);
      const targets = headTargets(ir, data, trainOptions.positiveClass);
      const weights = lossWeights(data, targets, trainOptions.classWeighting ?? true);
      const model = new TfjsTrainable(
        tf,
        buildTfjsModel(tf, ir, trainOptions.initialWeights ?? initialWeights(ir, trainOptions.seed)),
        data,
        targets,
        weights,
        trainOptions.learningRate,
      );
      try {
        return runTraining(model, data, targets, weights, trainOptions);
      } finally {
        model.dispose();
      }
    },
    async evaluate(ir, weights, data, windows, positiveClass) {
      const { loadTfjs } = await import('../tfjs-oracle/load');
      const { buildTfjsModel } = await import('../tfjs-oracle/model');
      const { TfjsTrainable } = await import('../tfjs-oracle/trainable');
      const { tf } = await loadTfjs(options);
      const targets = headTargets(ir, data, positiveClass);
      const model = new TfjsTrainable(tf, buildTfjsModel(tf, ir, weights), data, targets, new Array<number>(targets.classes).fill(1));
      try {
        return score(model, windows, targets).metrics;
      } finally {
        model.dispose();
      }
    },
  };
}

/** The IR engine's initial weights for `seed` (trainModel draws them the same way). */
export function initialWeights(ir: ModelIR, seed: number): NetworkWeights {
  const network = new Network(ir);
  network.init(Random.derive(seed, 0).uint32());
  return network.exportWeights();
}
