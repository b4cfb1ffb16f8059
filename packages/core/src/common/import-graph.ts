import { builtinModules } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';

/**
 * The runtime import graph of TypeScript/JavaScript sources, read with the TypeScript parser: what a file loads when
 * it runs (value imports and re-exports, require() and import() of literals, and files it loads by a path next to
 * itself such as a worker entry `path.join(__dirname, 'worker.js')`); type-only imports are left out, they do not run.
 * Used for the search's training-code hash and for the Nx plugin's per-target code inputs.
 */

/** This parser's own file: a change to it must invalidate every cached parse. */
export const IMPORT_GRAPH_FILE = __filename;

let typescriptModule: typeof TypeScript | undefined;

/** Loaded on first use: the Nx plugin parses only files whose imports it has not cached, usually none. */
function typescript(): typeof TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  typescriptModule ??= require('typescript') as typeof TypeScript;
  return typescriptModule;
}

/** Module specifiers a file loads when it runs; a file loaded by path next to it is given as `./<path>`. */
export function runtimeImports(file: string, text: string): string[] {
  return collectImports(file, text, false);
}

/**
 * Every module a file names in an import or re-export, type-only ones included (`import type`, `import('…').T`):
 * what a layering rule checks, since a type import ties a module to another's format as much as a value import.
 */
export function importedModules(file: string, text: string): string[] {
  return collectImports(file, text, true);
}

function collectImports(file: string, text: string, withTypeOnly: boolean): string[] {
  const ts = typescript();
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.(c|m)?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: TypeScript.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (withTypeOnly || !typeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (withTypeOnly || !node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (withTypeOnly && ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const [first, ...rest] = node.arguments;
      if (
        node.arguments.length === 1 &&
        ts.isStringLiteralLike(first) &&
        (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
      ) {
        found.push(first.text);
      } else if (
        ts.isPropertyAccessExpression(callee) &&
        (callee.name.text === 'join' || callee.name.text === 'resolve') &&
        first !== undefined &&
        ts.isIdentifier(first) &&
        first.text === '__dirname' &&
        rest.length > 0 &&
        rest.every((argument) => ts.isStringLiteralLike(argument)) &&
        // a module file (a worker entry), not a folder such as `path.resolve(__dirname, '..')`
        /\.(c|m)?(js|ts)$|\.json$/.test(rest[rest.length - 1].text)
      ) {
        found.push(`./${path.posix.join(...rest.map((argument) => argument.text))}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export interface ImportGraphOptions {
  /** Specifier prefixes that name local sources, e.g. `{ '@nx-tinyml/core/': '/ws/packages/core/src/' }`. */
  aliases?: Readonly<Record<string, string>>;
  /** The runtime imports of a file (default: parse it); the Nx plugin passes a cached reader. */
  importsOf?: (file: string) => readonly string[];
}

export interface ImportClosure {
  /** Absolute paths of the entry points and every local file they load at run time, transitively, sorted. */
  files: string[];
  /** npm packages those files load (builtins excluded), sorted. */
  packages: string[];
}

export function importClosure(entryPoints: readonly string[], options: ImportGraphOptions = {}): ImportClosure {
  const importsOf = options.importsOf ?? ((file: string) => (file.endsWith('.json') ? [] : runtimeImports(file, readFileSync(file, 'utf8'))));
  const aliases = Object.entries(options.aliases ?? {});
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    if (file.endsWith('.json')) return;
    for (const specifier of importsOf(file)) {
      const alias = aliases.find(([prefix]) => specifier.startsWith(prefix));
      const local = alias
        ? path.join(alias[1], specifier.slice(alias[0].length))
        : specifier.startsWith('.')
          ? path.resolve(path.dirname(file), specifier)
          : null;
      if (local === null) {
        const name = packageName(specifier);
        if (name !== null) packages.add(name);
        continue;
      }
      const resolved = resolveLocal(local);
      if (resolved) visit(resolved);
    }
  };
  entryPoints.forEach(visit);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** `yaml` → yaml, `@scope/pkg/sub` → @scope/pkg; Node builtins → null. */
export function packageName(specifier: string): string | null {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * A specifier's file as Node resolves it here (TypeScript sources first, then the published build's JavaScript);
 * a folder or a missing path → null.
 */
function resolveLocal(base: string): string | null {
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), `${base}.js`, path.join(base, 'index.js'), base]) {
    if (/\.(ts|js|cjs|mjs|json)$/.test(candidate) && isFile(candidate)) return candidate;
  }
  return null;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
