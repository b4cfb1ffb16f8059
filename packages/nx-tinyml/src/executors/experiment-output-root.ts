import * as path from 'node:path';
import type { ProjectConfiguration } from '@nx/devkit';

/**
 * Where the project's stage outputs go: the folder above the window target's output as the plugin declared it
 * (`{workspaceRoot}/<outputRoot>/<name>/window`), so the plugin's `outputRoot` option is what Nx caches and what
 * the executors write.
 */
export function experimentOutputRoot(root: string, project: Pick<ProjectConfiguration, 'targets'>, projectName: string): string {
  const declared = project.targets?.window?.outputs?.[0];
  if (declared === undefined) return path.join(root, 'dist', 'experiments', projectName);
  return path.dirname(path.resolve(root, declared.replace('{workspaceRoot}', '.')));
}
