import { readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import initGenerator from './generator';

describe('nx g nx-tinyml:init', () => {
  it('registers the plugin once, with the search shard options', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { searchShards: 3, searchRounds: 2 });
    await initGenerator(tree, { searchShards: 5 });
    expect(readNxJson(tree)?.plugins?.filter((entry) => (typeof entry === 'string' ? entry : entry.plugin) === 'nx-tinyml')).toEqual([
      { plugin: 'nx-tinyml', options: { searchShards: 3, searchRounds: 2 } },
    ]);
  });

  it('with searchShards 0 registers the bare plugin and the workflow has only the pipeline job', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { searchShards: 0 });
    expect(readNxJson(tree)?.plugins).toContain('nx-tinyml');
    const workflow = parse(tree.read('.github/workflows/nx-tinyml.yml', 'utf8') ?? '') as { jobs: Record<string, { needs?: string }> };
    expect(Object.keys(workflow.jobs)).toEqual(['pipeline']);
    expect(workflow.jobs.pipeline.needs).toBeUndefined();
  });

  it('adds to an existing .gitignore only the entries it lacks, and leaves an existing workflow alone', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'node_modules\ndist\n');
    tree.write('.github/workflows/nx-tinyml.yml', 'name: mine\n');
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf8')).toBe(
      'node_modules\ndist\n# nx-tinyml: stage outputs, Nx cache, extracted datasets\n/.nx/cache\n/.nx/workspace-data\n/.data\n',
    );
    expect(tree.read('.github/workflows/nx-tinyml.yml', 'utf8')).toBe('name: mine\n');
  });

  it('writes no workflow with --ci=none', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { ci: 'none' });
    expect(tree.exists('.github/workflows/nx-tinyml.yml')).toBe(false);
  });
});
