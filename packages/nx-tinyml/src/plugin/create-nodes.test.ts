import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseNameClashes } from './create-nodes';

const root = mkdtempSync(path.join(tmpdir(), 'nxt-create-nodes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(folder: string, text: string): string {
  const file = `projects/${folder}/experiment.yaml`;
  mkdirSync(path.join(root, 'projects', folder), { recursive: true });
  writeFileSync(path.join(root, file), text);
  return file;
}

describe('experiment name clashes', () => {
  it('names both spec files with file:line:column of their name', () => {
    const a = spec('a', '# first\nname: fall-esp32\nboard: esp32-s2\ndataset: sisfall\n');
    const b = spec('b', 'board: esp32-s2\ndataset: sisfall\n\n\nname:   fall-esp32\n');
    expect(() => refuseNameClashes([a, b], root)).toThrow(
      'nx-tinyml: projects/a/experiment.yaml:2:7 and projects/b/experiment.yaml:5:9 both name the experiment "fall-esp32"; experiment names must be unique',
    );
  });

  it('counts a spec without a usable name under its folder name, and accepts distinct names', () => {
    const c = spec('c', 'name: other\n');
    const d = spec('other', 'board: host\n');
    expect(() => refuseNameClashes([c, d], root)).toThrow(
      /projects\/c\/experiment\.yaml:1:7 and projects\/other\/experiment\.yaml:1:1 both name the experiment "other"/,
    );
    expect(() => refuseNameClashes([spec('e', 'name: e1\n'), spec('f', 'name: f1\n')], root)).not.toThrow();
  });
});
