import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** Where trials are trained: the runner (in-process) and the worker-thread entry; their imports are the engine. */
export const TRAINING_ENTRY_POINTS = ['trial-runner.ts', 'trial-worker.js', 'trial-worker-main.ts'].map((file) => path.join(__dirname, file));

/**
 * The files the training entry points import at run time, transitively (relative imports only: packages come from
 * the lockfile; type-only imports are left out, they do not run), found from the real import graph rather than a
 * hand-kept list.
 */
export function trainingCodeFiles(entryPoints: readonly string[] = TRAINING_ENTRY_POINTS): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.endsWith('.json')) return;
    for (const specifier of runtimeImports(file, readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const resolved = resolveRelative(path.resolve(path.dirname(file), specifier));
      if (resolved) visit(resolved);
    }
  };
  entryPoints.forEach(visit);
  return [...seen].sort();
}

/** Module specifiers a file loads when it runs: value imports and re-exports, require() and import() of literals. */
export function runtimeImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function scriptKind(file: string): ts.ScriptKind {
  return /\.(c|m)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

function resolveRelative(base: string): string | null {
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && !candidate.endsWith(path.sep) && /\.(ts|js|cjs|mjs|json)$/.test(candidate)) return candidate;
  }
  return null;
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
