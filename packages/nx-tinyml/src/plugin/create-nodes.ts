import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createNodesFromFiles, type CreateNodes, type CreateNodesContext, type CreateNodesResult } from '@nx/devkit';
import { parse } from 'yaml';
import { normalizeOptions, stageTargets, type ExperimentIdentity, type TinymlPluginOptions } from './targets';

export const EXPERIMENT_GLOB = 'projects/*/experiment.yaml';

/**
 * Infers one Nx project per `projects/<folder>/experiment.yaml`, named by the spec's `name`. The spec is only
 * skimmed here (name, board, dataset): a broken spec still becomes a project, and its targets report the errors
 * with file:line:column when run, instead of breaking every nx command in the workspace.
 */
export const createNodes: CreateNodes<TinymlPluginOptions> = [
  EXPERIMENT_GLOB,
  (files, options, context) => createNodesFromFiles(createNodesForSpec, files, options ?? {}, context),
];

function createNodesForSpec(file: string, options: TinymlPluginOptions | undefined, context: CreateNodesContext): CreateNodesResult {
  const root = path.dirname(file);
  const experiment = skimSpec(path.join(context.workspaceRoot, file), root);
  const tags = ['type:experiment'];
  if (experiment.board) tags.push(`board:${experiment.board}`);
  if (experiment.dataset) tags.push(`dataset:${experiment.dataset}`);
  return {
    projects: {
      [root]: {
        name: experiment.name,
        root,
        projectType: 'application',
        tags,
        targets: stageTargets(experiment, normalizeOptions(options)),
        metadata: { description: `nx-tinyml experiment ${experiment.name} (${experiment.dataset ?? '?'} on ${experiment.board ?? '?'})` },
      },
    },
  };
}

export function skimSpec(absoluteFile: string, root: string): ExperimentIdentity {
  const folderName = path.basename(root);
  let doc: unknown;
  try {
    doc = parse(readFileSync(absoluteFile, 'utf8'), { uniqueKeys: false });
  } catch {
    doc = undefined;
  }
  const record = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && /^[A-Za-z0-9_.-]+$/.test(value) ? value : null);
  const dataset = record.dataset !== null && typeof record.dataset === 'object' ? (record.dataset as Record<string, unknown>).name : record.dataset;
  const name = typeof record.name === 'string' && /^[a-z][a-z0-9-]*$/.test(record.name) ? record.name : folderName;
  return { name, root, board: text(record.board), dataset: text(dataset) };
}
