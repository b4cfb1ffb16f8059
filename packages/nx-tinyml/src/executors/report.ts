import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { isUserError } from '@nx-tinyml/core/common/errors';
import { consoleLog } from '@nx-tinyml/core/common/log';
import { runReportStage } from '@nx-tinyml/core/stages/report';
import { experimentOutputRoot } from './experiment-output-root';

/** Renders <outputRoot>/<name>/report/ from whatever stage outputs exist (no spec needed: a broken spec still has a report). */
export default async function reportExecutor(_options: Record<string, never>, context: ExecutorContext) {
  const experiment = context.projectName as string;
  const experimentDir = experimentOutputRoot(context.root, context.projectsConfigurations.projects[experiment], experiment);
  try {
    await runReportStage({ experiment, experimentDir, outDir: path.join(experimentDir, 'report'), log: consoleLog });
    return { success: true };
  } catch (error) {
    if (isUserError(error)) {
      consoleLog(`nx-tinyml report: ${error.message}`);
      return { success: false };
    }
    throw error;
  }
}
