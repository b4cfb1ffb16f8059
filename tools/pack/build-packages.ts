/**
 * Builds the two publishable packages and packs them with npm:
 *   npm run pack:plugin [-- --out <dir>]     → <dir>/nx-tinyml-core-<v>.tgz, <dir>/nx-tinyml-<v>.tgz (default dist/packages)
 * The sources stay TypeScript run through @swc-node in this repository; the packages carry JavaScript compiled by
 * tsc (with declarations) in the same folder layout, the JSON and JavaScript files the code loads by path, and the
 * core's shipped files (firmware/ and tools/datasets, tools/install-toolchains). Their dependencies are the npm
 * packages the compiled code loads, found from its import graph, at the root package.json's ranges.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { importClosure } from '../../packages/core/src/common/import-graph';
import { publishedModules } from './entry-points';

const root = path.resolve(__dirname, '../..');

/** Loaded only when running from the TypeScript sources (worker and bin shims, the job pool), never by the build. */
const SOURCE_ONLY = ['@swc-node/register', '@swc/core'];

interface Manifest {
  name: string;
  version: string;
  description: string;
  [key: string]: unknown;
}

/** Compiles the entry points and everything they import into `<build>/<package>/src/…`. */
function compile(build: string, entries: string[]): void {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    rootDir: path.join(root, 'packages'),
    outDir: build,
    declaration: true,
    sourceMap: false,
    noEmit: false,
    noEmitOnError: true,
  };
  const program = ts.createProgram(entries, options);
  const result = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`pack: tsc found problems:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

/** Files loaded by path rather than imported (worker entries, executor and generator schemas, JSON imports). */
function copyLoadedByPath(sourceDir: string, targetDir: string): void {
  for (const entry of readdirSync(sourceDir, { withFileTypes: true })) {
    const from = path.join(sourceDir, entry.name);
    if (entry.isDirectory()) copyLoadedByPath(from, path.join(targetDir, entry.name));
    else if (/\.(js|json)$/.test(entry.name) && !/\.test\./.test(entry.name) && existsSync(targetDir)) cpSync(from, path.join(targetDir, entry.name));
  }
}

/** npm packages the compiled files load, with the root package.json's version ranges. */
function dependenciesOf(packageDir: string, exclude: readonly string[]): Record<string, string> {
  const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const ranges: Record<string, string> = { ...rootManifest.devDependencies, ...rootManifest.optionalDependencies, ...rootManifest.dependencies };
  const files = jsFiles(path.join(packageDir, 'src'));
  const { packages } = importClosure(files);
  const dependencies: Record<string, string> = {};
  for (const name of packages.filter((name) => !exclude.includes(name))) {
    const range = ranges[name];
    if (range === undefined) throw new Error(`pack: ${packageDir} loads "${name}", which the root package.json does not declare`);
    dependencies[name] = range;
  }
  return dependencies;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(file);
    return entry.name.endsWith('.js') ? [file] : [];
  });
}

/** The source manifest's entry points (`./src/x.ts`) as the build's (`./src/x.js` with `./src/x.d.ts`). */
function compiledExports(exports: Record<string, string>): Record<string, string | { types: string; default: string }> {
  const compiled: Record<string, string | { types: string; default: string }> = {};
  for (const [key, target] of Object.entries(exports)) {
    compiled[key] = target.endsWith('.ts') ? { types: target.replace(/\.ts$/, '.d.ts'), default: target.replace(/\.ts$/, '.js') } : target;
  }
  return compiled;
}

function writeManifest(dir: string, manifest: object): void {
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function main(): void {
  const outIndex = process.argv.indexOf('--out');
  const out = path.resolve(outIndex >= 0 ? process.argv[outIndex + 1] : path.join(root, 'dist/packages'));
  const build = path.join(out, 'build');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();

  compile(build, publishedModules(root));
  const core = path.join(build, 'core');
  const plugin = path.join(build, 'nx-tinyml');
  copyLoadedByPath(path.join(root, 'packages/core/src'), path.join(core, 'src'));
  copyLoadedByPath(path.join(root, 'packages/nx-tinyml/src'), path.join(plugin, 'src'));

  // the core's shipped files: the C runtime, platform and boards; the dataset registry, samples and sample scripts
  for (const dir of ['firmware/runtime', 'firmware/platform', 'firmware/boards', 'tools/datasets']) {
    cpSync(path.join(root, dir), path.join(core, dir), { recursive: true, filter: (file) => !path.relative(root, file).split(path.sep).includes('test') });
  }
  cpSync(path.join(root, 'tools/install-toolchains'), path.join(core, 'tools/install-toolchains'));
  for (const file of ['executors.json', 'generators.json', 'bin'])
    cpSync(path.join(root, 'packages/nx-tinyml', file), path.join(plugin, file), { recursive: true });
  for (const dir of [core, plugin]) cpSync(path.join(root, 'README.md'), path.join(dir, 'README.md'));

  const coreSource = JSON.parse(readFileSync(path.join(root, 'packages/core/package.json'), 'utf8')) as Manifest;
  const pluginSource = JSON.parse(readFileSync(path.join(root, 'packages/nx-tinyml/package.json'), 'utf8')) as Manifest;
  const common = { version: coreSource.version, license: 'MIT', engines: { node: '>=20' } };
  writeManifest(core, {
    name: coreSource.name,
    description: coreSource.description,
    ...common,
    main: 'src/index.js',
    types: 'src/index.d.ts',
    exports: compiledExports(coreSource.exports as Record<string, string>),
    dependencies: dependenciesOf(core, SOURCE_ONLY),
  });
  writeManifest(plugin, {
    name: pluginSource.name,
    description: pluginSource.description,
    ...common,
    main: 'src/index.js',
    types: 'src/index.d.ts',
    executors: './executors.json',
    generators: './generators.json',
    dependencies: { ...dependenciesOf(plugin, [coreSource.name, 'nx', ...SOURCE_ONLY]), [coreSource.name]: coreSource.version },
    peerDependencies: {
      nx: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.nx,
    },
  });

  const tarballs = [core, plugin].map(
    (dir) => execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop() as string,
  );
  rmSync(build, { recursive: true, force: true });
  for (const tarball of tarballs) {
    console.log(`pack: ${path.relative(root, path.join(out, tarball))} (${(statSync(path.join(out, tarball)).size / 1024).toFixed(0)} KiB)`);
  }
  console.log(`pack: built and packed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main();
