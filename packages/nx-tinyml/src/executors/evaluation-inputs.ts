import * as path from 'node:path';
import type { StageExecutorContext } from './run-stage';

/**
 * What the evaluate aggregator and its shards read, from the project's spec and output folders. In a file of its
 * own so the shard executor does not load the aggregator (its code is not in the shards' cache key).
 */
export function evaluationInputs({ spec, outDir, journalDir, workspaceRoot }: StageExecutorContext) {
  return {
    sources: {
      windowDir: outDir('window'),
      searchDir: outDir('search'),
      cascadeDir: outDir('train-cascade'),
      specFile: path.relative(workspaceRoot, spec.file),
    },
    settings: {
      windowDir: outDir('window'),
      seed: spec.seed,
      cascade: spec['train-cascade'],
      quantize: spec.quantize,
      evaluate: spec.evaluate,
      precision: spec.train.precision,
    },
    journalDir: path.join(journalDir, 'evaluate'),
  };
}
