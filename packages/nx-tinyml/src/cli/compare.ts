import { configuredOutputRoot } from '../plugin/output-root';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { replaceDirAtomic } from '@nx-tinyml/core/common/atomic';
import { canonicalJson } from '@nx-tinyml/core/common/canonical-json';
import { buildComparison, type ComparisonSide } from '@nx-tinyml/core/report/compare';

const USAGE = `usage: compare-experiments [--projects=a,b | --affected] [--base=<git ref>] [--run=<target>|none] [--out=<dir>]
  --projects   experiments to put side by side (default: every experiment)
  --affected   the experiments nx affected finds against --base (default base: nx.json defaultBase)
  --base       also show each experiment as it is at this commit (a git worktree in tmp/compare-base)
  --run        target run first on each side, e.g. flash-test (default), or none to read dist/ as it is
  --out        output folder (default dist/reports/comparison): comparison.html, comparison.json`;

const EXPERIMENT_TAG = 'tag:type:experiment';

function nx(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, output: 'pipe' | 'inherit' = 'pipe') {
  return execa('node', [path.join(cwd, 'node_modules/nx/dist/bin/nx.js'), ...args], {
    cwd,
    env: { NX_DAEMON: 'false', NX_TUI: 'false', ...env },
    stdin: 'ignore',
    stdout: output,
    stderr: output,
  });
}

async function showProjects(cwd: string, extra: string[]): Promise<string[]> {
  const { stdout } = await nx(cwd, ['show', 'projects', '--projects', EXPERIMENT_TAG, '--json', ...extra]);
  return (JSON.parse(String(stdout)) as string[]).sort();
}

/** Runs `target` for the projects, streaming Nx's output (progress lines included) to this terminal. */
async function runTarget(cwd: string, target: string, projects: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  if (target === 'none' || projects.length === 0) return;
  await nx(cwd, ['run-many', '-t', target, '-p', projects.join(','), '--outputStyle=stream'], env, 'inherit');
}

/**
 * A worktree of `ref` that is kept between comparisons (tmp/ is ignored by git), so its own Nx cache makes a
 * second comparison against the same base cost nothing. node_modules and the extracted datasets are shared.
 */
async function baseWorktree(root: string, ref: string): Promise<{ dir: string; sha: string }> {
  const sha = (await execa('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: root })).stdout.trim();
  const dir = path.join(root, 'tmp', 'compare-base');
  if (!existsSync(path.join(dir, '.git'))) {
    mkdirSync(path.dirname(dir), { recursive: true });
    await execa('git', ['worktree', 'add', '--force', '--detach', dir, sha], { cwd: root });
  } else {
    await execa('git', ['checkout', '--quiet', '--force', '--detach', sha], { cwd: dir });
  }
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir, sha };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      projects: { type: 'string' },
      affected: { type: 'boolean' },
      base: { type: 'string' },
      run: { type: 'string', default: 'flash-test' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const root = process.cwd();
  const run = values.run;
  let projects: string[];
  if (values.affected) {
    projects = await showProjects(root, ['--affected', ...(values.base ? ['--base', values.base] : [])]);
  } else if (values.projects) {
    projects = values.projects
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  } else {
    projects = await showProjects(root, []);
  }
  if (projects.length === 0) {
    process.stderr.write('compare-experiments: no experiment to compare (nothing affected?)\n');
  }
  const sides: ComparisonSide[] = [];
  const dist = (workspace: string, name: string) => path.join(configuredOutputRoot(workspace), name);
  if (values.base) {
    const base = await baseWorktree(root, values.base);
    const atBase = new Set(await showProjects(base.dir, []));
    // Datasets are extracted once, for both sides.
    await runTarget(
      base.dir,
      run,
      projects.filter((p) => atBase.has(p)),
      { NX_TINYML_DATA_DIR: process.env.NX_TINYML_DATA_DIR ?? path.join(root, '.data', 'datasets') },
    );
    await runTarget(root, run, projects);
    for (const name of projects) {
      sides.push({
        label: `${name} @ ${values.base} (${base.sha.slice(0, 7)})${atBase.has(name) ? '' : ': not at base'}`,
        experiment: name,
        experimentDir: dist(base.dir, name),
      });
      sides.push({ label: `${name} (working tree)`, experiment: name, experimentDir: dist(root, name) });
    }
  } else {
    await runTarget(root, run, projects);
    for (const name of projects) sides.push({ label: name, experiment: name, experimentDir: dist(root, name) });
  }
  const comparison = await buildComparison(sides, values.base ? `nx-tinyml: what changed against ${values.base}` : 'nx-tinyml: experiments side by side');
  const out = path.resolve(root, values.out ?? path.join('dist', 'reports', 'comparison'));
  await replaceDirAtomic(out, async (dir) => {
    await writeFile(path.join(dir, 'comparison.html'), comparison.html);
    await writeFile(path.join(dir, 'comparison.json'), `${canonicalJson(comparison.json, 1)}\n`);
  });
  process.stdout.write(`${path.relative(root, path.join(out, 'comparison.html'))}: ${sides.length} column(s)\n`);
}

main().catch((error: Error & { shortMessage?: string }) => {
  process.stderr.write(`compare-experiments: ${error.shortMessage ?? error.message}\n`);
  process.exit(1);
});
