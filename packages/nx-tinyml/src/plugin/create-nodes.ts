import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CreateNodes, CreateNodesResult } from '@nx/devkit';
import { LineCounter, parse, parseDocument } from 'yaml';
import { executorCode, type ExecutorCode } from './executor-code';
import { paramsInputsDigest } from './params-inputs-digest';
import { RuntimeImportsCache } from './runtime-imports-cache';
import { writeStageParams } from './stage-params-files';
import { normalizeOptions, stageTargets, type ExperimentIdentity, type TinymlPluginOptions } from './targets';

export const EXPERIMENT_GLOB = 'projects/*/experiment.yaml';

/**
 * Infers one Nx project per `projects/<folder>/experiment.yaml`, named by the spec's `name`. The project comes
 * from a skim of the spec (name, board, dataset): a broken spec still becomes a project, and its targets report
 * the errors with file:line:column when run, instead of breaking every nx command in the workspace. Each stage's
 * params (the normalized sections it reads) are written for Nx to hash, and each target's code inputs come from
 * its executor's import graph.
 */
export const createNodes: CreateNodes<TinymlPluginOptions> = [
  EXPERIMENT_GLOB,
  async (files, options, context) => {
    refuseNameClashes(files, context.workspaceRoot);
    if (files.length === 0) return [];
    const normalized = normalizeOptions(options);
    const cache = RuntimeImportsCache.open(context.workspaceRoot);
    const code = executorCode(context.workspaceRoot, cache);
    const paramsInputs = paramsInputsDigest(context.workspaceRoot, cache);
    cache.save();
    // createNodesFromFiles of @nx/devkit would do this loop, but loading the devkit costs ~0.2 s on every nx command
    return Promise.all(files.map(async (file) => [file, await createNodesForSpec(file, normalized, code, paramsInputs, context.workspaceRoot)] as const));
  },
];

/**
 * Two specs naming the same experiment would otherwise meet Nx's generic "defined in multiple locations" error,
 * which names no line and suggests a fix that does not apply to a spec.
 */
export function refuseNameClashes(files: readonly string[], workspaceRoot: string): void {
  const byName = new Map<string, { file: string; line: number; column: number }[]>();
  for (const file of files) {
    const where = nameLocation(path.join(workspaceRoot, file));
    const name = skimSpec(path.join(workspaceRoot, file), path.dirname(file)).name;
    byName.set(name, [...(byName.get(name) ?? []), { file, ...where }]);
  }
  const clashes = [...byName].filter(([, specs]) => specs.length > 1);
  if (clashes.length === 0) return;
  throw new Error(
    clashes
      .map(
        ([name, specs]) =>
          `nx-tinyml: ${specs.map((s) => `${s.file}:${s.line}:${s.column}`).join(' and ')} both name the experiment "${name}"; experiment names must be unique: rename one (the name is also its Nx project name)`,
      )
      .join('\n'),
  );
}

/** Line and column of the spec's `name:` value (1:1 when it has none: the project is then named by its folder). */
function nameLocation(absoluteFile: string): { line: number; column: number } {
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(absoluteFile, 'utf8'), { lineCounter, uniqueKeys: false });
    const node = doc.get('name', true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  } catch {
    // unreadable or not YAML: the executors report that
  }
  return { line: 1, column: 1 };
}

async function createNodesForSpec(
  file: string,
  options: Required<TinymlPluginOptions>,
  code: ExecutorCode,
  paramsInputs: string,
  workspaceRoot: string,
): Promise<CreateNodesResult> {
  const root = path.dirname(file);
  const experiment = skimSpec(path.join(workspaceRoot, file), root);
  await writeStageParams(workspaceRoot, file, experiment.name, paramsInputs);
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
        targets: stageTargets(experiment, options, code),
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
