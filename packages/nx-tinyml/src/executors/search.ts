import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runSearchStage } from '@nx-tinyml/core/stages/search';
import { runStageExecutor } from './run-stage';

export default async function searchExecutor(_options: Record<string, never>, context: ExecutorContext) {
  return runStageExecutor('search', context, async ({ spec, workspaceRoot, outDir }) => {
    await runSearchStage({
      experiment: spec.name,
      search: spec.search,
      seed: spec.seed,
      board: spec.boardDefinition,
      windowDir: outDir('window'),
      outDir: outDir('search'),
      journalDir: path.join(workspaceRoot, 'dist', '.journals', spec.name),
      log: consoleLog,
    });
  });
}
