import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_OUTPUT_ROOT } from './targets';

interface PluginEntry {
  plugin: string;
  options?: { outputRoot?: unknown };
}

/**
 * The stage outputs' folder as nx.json configures this plugin (`options.outputRoot`, default dist/experiments),
 * absolute. For the command-line tools, which run outside a task and so cannot read it from a target's outputs.
 */
export function configuredOutputRoot(workspaceRoot: string): string {
  let plugins: (string | PluginEntry)[] = [];
  try {
    plugins = (JSON.parse(readFileSync(path.join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins?: (string | PluginEntry)[] }).plugins ?? [];
  } catch {
    // no nx.json or not JSON: Nx itself reports that; the default applies
  }
  const entry = plugins.find((p): p is PluginEntry => typeof p !== 'string' && /(^|\/)nx-tinyml$/.test(p.plugin));
  const configured = entry?.options?.outputRoot;
  return path.resolve(workspaceRoot, typeof configured === 'string' ? configured : DEFAULT_OUTPUT_ROOT);
}
