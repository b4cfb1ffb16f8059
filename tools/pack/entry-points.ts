import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { importClosure } from '../../packages/core/src/common/import-graph';

/** Entry points of the published code: what users, Nx and the plugin's bin scripts load. */
export function publishedEntryPoints(root: string): string[] {
  const plugin = path.join(root, 'packages/nx-tinyml');
  const implementations = (file: string, key: 'executors' | 'generators') =>
    Object.values((JSON.parse(readFileSync(path.join(plugin, file), 'utf8')) as Record<string, Record<string, Record<string, string>>>)[key]).flatMap((entry) =>
      [entry.implementation, entry.batchImplementation, entry.factory].filter((x): x is string => x !== undefined).map((x) => path.join(plugin, `${x}.ts`)),
    );
  return [
    path.join(root, 'packages/core/src/index.ts'),
    path.join(plugin, 'src/index.ts'),
    ...implementations('executors.json', 'executors'),
    ...implementations('generators.json', 'generators'),
    ...readdirSync(path.join(plugin, 'src/cli')).map((file) => path.join(plugin, 'src/cli', file)),
  ];
}

/**
 * The TypeScript modules the packages ship: what the entry points load at run time, worker entries loaded by path
 * included (tsc follows only imports), plus the ambient WebAssembly declarations. tsc adds what they import for types.
 */
export function publishedModules(root: string): string[] {
  const aliases = { '@nx-tinyml/core/': `${path.join(root, 'packages/core/src')}${path.sep}` };
  const loaded = importClosure(publishedEntryPoints(root), { aliases }).files;
  return [path.join(root, 'packages/core/src/train/wasm/webassembly.d.ts'), ...loaded.filter((file) => file.endsWith('.ts'))];
}
