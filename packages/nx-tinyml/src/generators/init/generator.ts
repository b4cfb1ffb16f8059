import { formatFiles, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { ciWorkflow } from './ci-workflow';

export interface InitGeneratorOptions {
  searchShards?: number;
  searchRounds?: number;
  ci?: 'github' | 'none';
}

const PLUGIN = 'nx-tinyml';

/** What the workspace must not commit: stage outputs, Nx's cache and data, extracted datasets. */
const IGNORED = ['/dist', '/.nx/cache', '/.nx/workspace-data', '/.data'];

/**
 * `nx add nx-tinyml` (or `nx g nx-tinyml:init`): registers the plugin in nx.json with its search-shard options,
 * ignores what the stages write, and writes a CI workflow that runs `nx affected` over the experiments with the
 * remote cache and the search shards spread over a job matrix. Running it again changes nothing that is there.
 */
export default async function initGenerator(tree: Tree, options: InitGeneratorOptions = {}): Promise<void> {
  const searchShards = options.searchShards ?? 4;
  const searchRounds = options.searchRounds ?? 4;
  registerPlugin(tree, searchShards, searchRounds);
  ignoreOutputs(tree);
  if ((options.ci ?? 'github') === 'github') {
    const file = '.github/workflows/nx-tinyml.yml';
    if (!tree.exists(file)) tree.write(file, ciWorkflow({ searchShards, searchRounds }));
  }
  await formatFiles(tree);
}

function registerPlugin(tree: Tree, searchShards: number, searchRounds: number): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN);
  if (registered) return;
  plugins.push(searchShards > 0 ? { plugin: PLUGIN, options: { searchShards, searchRounds } } : PLUGIN);
  updateNxJson(tree, { ...nxJson, plugins });
}

function ignoreOutputs(tree: Tree): void {
  const text = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf8') ?? '') : '';
  const present = new Set(text.split('\n').map((line) => line.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry) && !present.has(entry.slice(1)));
  if (missing.length === 0) return;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  tree.write('.gitignore', `${text}${separator}# nx-tinyml: stage outputs, Nx cache, extracted datasets\n${missing.join('\n')}\n`);
}
