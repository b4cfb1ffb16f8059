import { formatFiles, type Tree } from '@nx/devkit';
import { Document } from 'yaml';
import { datasetEntry, DATASET_IDS, isDatasetId } from '@nx-tinyml/core/data/registry';
import { knownBoards, loadBoardSync } from '@nx-tinyml/core/spec/board';
import { parseSpec } from '@nx-tinyml/core/spec/load';
import type { NormalizedWindow } from '@nx-tinyml/core/spec/types';

export interface ExperimentGeneratorOptions {
  name: string;
  board: string;
  dataset: string;
}

/**
 * `nx g nx-tinyml:experiment <name> --board=<b> --dataset=<d>`: writes projects/<name>/experiment.yaml with the
 * dataset's window defaults spelled out, validated by the same loader the stages use before anything is written.
 */
export default async function experimentGenerator(tree: Tree, options: ExperimentGeneratorOptions): Promise<void> {
  const { name, board, dataset } = options;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`experiment name "${name}" must be lower-case letters, digits and dashes, starting with a letter`);
  }
  const boards = knownBoards(tree.root);
  if (!boards.includes(board)) throw new Error(`unknown board "${board}"; known boards: ${boards.join(', ')}`);
  if (!isDatasetId(dataset)) throw new Error(`unknown dataset "${dataset}"; known datasets: ${DATASET_IDS.join(', ')}`);
  const file = `projects/${name}/experiment.yaml`;
  if (tree.exists(file)) throw new Error(`${file} already exists`);

  const defaults = parseSpec(`name: ${name}\nboard: ${board}\ndataset: ${dataset}\n`, file, { workspaceRoot: tree.root });
  const text = specText(tree, options, defaults.window, datasetEntry(dataset, tree.root).title, loadBoardSync(tree.root, board).title);
  parseSpec(text, file, { workspaceRoot: tree.root }); // what we write must load
  tree.write(file, text);
  await formatFiles(tree);
}

/** The schema for editor completion, from projects/<name>/: this repository's source, else the installed package's. */
function schemaReference(tree: Tree): string {
  const source = 'packages/core/src/spec/experiment.schema.json';
  return `../../${tree.exists(source) ? source : 'node_modules/@nx-tinyml/core/src/spec/experiment.schema.json'}`;
}

function specText(tree: Tree, options: ExperimentGeneratorOptions, window: NormalizedWindow, datasetTitle: string, boardTitle: string): string {
  const windowSection: Record<string, unknown> = { mode: window.mode, sampleRateHz: window.sampleRateHz };
  if (window.lengthSeconds !== null) windowSection.lengthSeconds = window.lengthSeconds;
  if (window.mode === 'sliding') windowSection.overlap = window.overlap;
  if (window.mode === 'beat') windowSection.beatOffset = window.beatOffset;
  if (window.mode === 'beat') windowSection.rrFeatures = window.rrFeatures;
  windowSection.channels = window.channels;
  windowSection.labels = { policy: window.labels.policy };
  const folds: Record<string, unknown> = { scheme: window.folds.scheme };
  if (window.folds.split) folds.split = window.folds.split;
  if (window.folds.k !== null) folds.k = window.folds.k;
  if (window.folds.subjects) folds.subjects = window.folds.subjects;
  windowSection.folds = folds;
  const doc = new Document({
    name: options.name,
    board: options.board,
    dataset: options.dataset,
    seed: 0,
    window: windowSection,
    search: { space: 'cnn1d', strategy: 'successive-halving', trials: 20 },
  });
  doc.commentBefore = ` ${datasetTitle}\n on ${boardTitle}.\n Omitted settings take their defaults from the dataset and the board (README: "The spec").`;
  for (const list of [
    ['window', 'channels'],
    ['window', 'folds', 'subjects'],
  ]) {
    const node = doc.getIn(list, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  return `# yaml-language-server: $schema=${schemaReference(tree)}\n${doc.toString({ lineWidth: 0 })}`;
}
