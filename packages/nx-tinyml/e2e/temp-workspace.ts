import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';

const repoRoot = path.resolve(__dirname, '../../..');

export interface NxResult {
  exitCode: number;
  output: string;
}

/**
 * A copy of this repository (the files git would commit) in a temp folder with its own git history and Nx cache,
 * sharing node_modules and the extracted-dataset cache. The real `nx` CLI runs in it.
 */
export class TempWorkspace {
  readonly root: string;

  constructor(readonly env: NodeJS.ProcessEnv = {}) {
    this.root = mkdtempSync(path.join(tmpdir(), 'nx-tinyml-e2e-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot })
      .toString()
      .split('\0')
      .filter((f) => f && !f.startsWith('node_modules/'));
    for (const file of files) {
      const from = path.join(repoRoot, file);
      try {
        mkdirSync(path.dirname(path.join(this.root, file)), { recursive: true });
        cpSync(from, path.join(this.root, file));
      } catch (error) {
        // deleted in the working tree but still in the index
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      }
    }
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(this.root, 'node_modules'));
    this.git('init', '-q', '-b', 'main');
    this.commit('initial');
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@invalid', ...args], { cwd: this.root })
      .toString()
      .trim();
  }

  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  read(file: string): string {
    return readFileSync(path.join(this.root, file), 'utf8');
  }

  write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(this.root, file)), { recursive: true });
    writeFileSync(path.join(this.root, file), text);
  }

  edit(file: string, change: (text: string) => string): void {
    const before = this.read(file);
    const after = change(before);
    if (after === before) throw new Error(`edit of ${file} changed nothing`);
    this.write(file, after);
  }

  async nx(...args: string[]): Promise<NxResult> {
    const result = await execa('node', [path.join(this.root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
      cwd: this.root,
      reject: false,
      all: true,
      env: {
        NX_DAEMON: 'false',
        NX_NO_CLOUD: 'true',
        NX_TUI: 'false',
        NX_SKIP_NX_CACHE: undefined,
        NX_TINYML_DATASET_MIRROR: undefined,
        FORCE_COLOR: '0',
        ...this.env,
      },
      extendEnv: true,
    });
    return { exitCode: result.exitCode ?? 1, output: result.all ?? '' };
  }

  /** Task hashes as Nx computes them before running (its own hasher, same inputs as a real run). */
  async taskHashes(project: string, targets: string[]): Promise<Record<string, string>> {
    const result = await execa('node', [path.join(__dirname, 'support/task-hashes.cjs'), project, ...targets], {
      cwd: this.root,
      reject: false,
      all: true,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TINYML_DATASET_MIRROR: undefined, ...this.env },
    });
    if (result.exitCode !== 0) throw new Error(`task-hashes failed:\n${result.all}`);
    return JSON.parse(result.stdout) as Record<string, string>;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function cacheHit(output: string): boolean {
  return /Nx read the output from the cache instead of running the command for 1 out of 1 tasks/.test(output);
}
