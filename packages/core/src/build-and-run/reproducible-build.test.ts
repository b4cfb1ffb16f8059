import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { defaultWorkspaceRoot } from '../common/workspace';
import { loadBoardSync } from '../spec/board';
import { buildFirmware } from './build';

const work = mkdtempSync(path.join(tmpdir(), 'nxt-reproducible-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reproducible firmware', () => {
  it.skipIf(!inject('toolchainState').crossCompilers)(
    'two clean builds in different temp folders give byte-identical ELFs (no build path in the debug info)',
    async () => {
      const board = loadBoardSync(defaultWorkspaceRoot, 'stm32f446ze');
      const sources = [path.join(__dirname, 'test-programs', 'crc32.c')];
      const first = await buildFirmware({ board, sources, outDir: mkdtempSync(path.join(work, 'a-')) });
      const second = await buildFirmware({ board, sources, outDir: mkdtempSync(path.join(work, 'build-b-')) });
      expect(readFileSync(first.elf).toString('latin1')).not.toContain(first.outDir);
      expect(readFileSync(first.elf).equals(readFileSync(second.elf))).toBe(true);
    },
    120_000,
  );
});
