import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** The workspace packages: in a copy they must resolve to the copy's own sources, not this checkout's. */
const WORKSPACE_PACKAGES: Record<string, string> = { 'nx-tinyml': 'packages/nx-tinyml', '@nx-tinyml/core': 'packages/core' };

/**
 * A throw-away copy of this repository, either its working tree (the files git would commit) or a commit, with its
 * own git history and Nx cache. node_modules is a folder of links to this checkout's packages except the workspace
 * packages, which link to the copy: a plain link to node_modules would run this checkout's plugin code in the copy
 * (node_modules/nx-tinyml is a relative link), so an old commit would be measured with new code.
 */
export function copyWorkspace(source: 'working-tree' | { commit: string }): string {
  const root = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-bench-'));
  if (source === 'working-tree') {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot }).toString().split('\0');
    for (const file of files.filter((f) => f && !f.startsWith('node_modules/'))) {
      try {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        cpSync(path.join(repoRoot, file), path.join(root, file));
      } catch (error) {
        // deleted in the working tree but still in the index
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      }
    }
  } else {
    const archive = execFileSync('git', ['archive', '--format=tar', source.commit], { cwd: repoRoot, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: archive });
  }
  linkNodeModules(root);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@invalid', ...args], { cwd: root });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
  return root;
}

function linkNodeModules(root: string): void {
  const from = path.join(repoRoot, 'node_modules');
  const to = path.join(root, 'node_modules');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (entry.startsWith('@')) {
      mkdirSync(path.join(to, entry));
      for (const scoped of readdirSync(path.join(from, entry))) link(`${entry}/${scoped}`);
    } else {
      link(entry);
    }
  }
  function link(name: string): void {
    const own = WORKSPACE_PACKAGES[name];
    symlinkSync(own ? path.join(root, own) : path.join(from, name), path.join(to, name));
  }
}

export function editFile(root: string, file: string, change: (text: string) => string): void {
  const full = path.join(root, file);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(full, after);
}

export function removeWorkspace(root: string): void {
  // an Nx daemon started in the copy would otherwise outlive it
  spawnSync(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'daemon', '--stop'], { cwd: root, stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
}
