import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { importClosure } from '../common/import-graph';
import { moduleFile } from '../common/workspace';

/** Where trials are trained: the runner (in-process) and the worker-thread entry; their imports are the engine. */
export const TRAINING_ENTRY_POINTS = [
  moduleFile(__dirname, 'trial-runner'),
  path.join(__dirname, 'trial-worker.js'),
  moduleFile(__dirname, 'trial-worker-main'),
];

/**
 * The files the training entry points load at run time, transitively (local files only: packages come from the
 * lockfile; type-only imports are left out, they do not run), found from the real import graph rather than a
 * hand-kept list.
 */
export function trainingCodeFiles(entryPoints: readonly string[] = TRAINING_ENTRY_POINTS): string[] {
  return importClosure(entryPoints).files;
}

function scriptKind(file: string): ts.ScriptKind {
  return /\.(c|m)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/**
 * A file's code without comments and formatting: TypeScript's printer re-emits the parsed file with comments
 * removed, so editing a comment or re-indenting changes nothing while any change to what runs does.
 */
export function codeWithoutComments(file: string, text: string): string {
  if (file.endsWith('.json')) return JSON.stringify(JSON.parse(text));
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKind(file));
  return ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed }).printFile(source);
}

let memo: string | undefined;

/**
 * Hash of the code that trains a trial. It is part of every trial's key and of the journal header: a trial
 * journaled by other training code is never replayed as if the current code had produced it.
 */
export function trainingCodeHash(): string {
  if (memo === undefined) memo = hashCode(trainingCodeFiles());
  return memo;
}

export function hashCode(files: readonly string[], root = path.resolve(__dirname, '..')): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${path.relative(root, file)}\0${codeWithoutComments(file, readFileSync(file, 'utf8'))}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}
