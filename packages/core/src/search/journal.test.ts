import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrialJournal } from './journal';

const scratch = mkdtempSync(path.join(tmpdir(), 'nxt-journal-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const header = { space: 'cnn1d', seed: 1 };

describe('trial journal', () => {
  it('replays recorded trials after reopening, in order', () => {
    const file = path.join(scratch, 'a.jsonl');
    const journal = TrialJournal.open<{ f1: number }>(file, header);
    journal.record('t0', { f1: 0.5 });
    journal.record('t1', { f1: 0.7 });
    journal.close();
    const reopened = TrialJournal.open<{ f1: number }>(file, header);
    expect(reopened.values()).toEqual([{ f1: 0.5 }, { f1: 0.7 }]);
    expect(reopened.has('t1')).toBe(true);
    expect(() => reopened.record('t1', { f1: 0.9 })).toThrow(/already recorded/);
    reopened.close();
  });

  it('cuts a torn last line and keeps appending cleanly after it', () => {
    const file = path.join(scratch, 'b.jsonl');
    const journal = TrialJournal.open<number>(file, header);
    journal.record('t0', 1);
    journal.close();
    appendFileSync(file, '{"key":"t1","val');
    const reopened = TrialJournal.open<number>(file, header);
    expect(reopened.values()).toEqual([1]);
    reopened.record('t1', 2);
    reopened.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(TrialJournal.open<number>(file, header).values()).toEqual([1, 2]);
  });

  it('skips a line with one corrupt byte with a warning, and still replays every line after it', () => {
    const file = path.join(scratch, 'e.jsonl');
    const journal = TrialJournal.open<{ f1: number }>(file, header);
    for (let i = 0; i < 22; i++) journal.record(`t${i}`, { f1: i / 100 });
    journal.close();
    const bytes = readFileSync(file);
    const lines = bytes.toString('utf8').split('\n');
    // line 3 is trial t1: change one digit of its value (still valid JSON, so only the checksum can tell)
    const at = lines.slice(0, 2).join('\n').length + 1 + lines[2].indexOf('0.01') + 3;
    bytes[at] = '7'.charCodeAt(0);
    writeFileSync(file, bytes);
    const warnings: string[] = [];
    const reopened = TrialJournal.open<{ f1: number }>(file, header, (m) => warnings.push(m));
    expect(reopened.has('t1')).toBe(false);
    expect(reopened.size).toBe(21);
    expect(reopened.get('t21')).toEqual({ f1: 0.21 });
    expect(warnings).toEqual([expect.stringMatching(/e\.jsonl: line 3 damaged \(checksum mismatch\); skipped/)]);
    reopened.record('t1', { f1: 0.01 });
    reopened.close();
    expect(TrialJournal.open<{ f1: number }>(file, header).size).toBe(22);
  });

  it('refuses a journal written under other settings', () => {
    const file = path.join(scratch, 'c.jsonl');
    TrialJournal.open(file, header).close();
    expect(() => TrialJournal.open(file, { ...header, seed: 2 })).toThrow(/other settings; delete it/);
  });

  it('loses nothing recorded before a kill -9 and records nothing twice after it', async () => {
    const file = path.join(scratch, 'd.jsonl');
    writeFileSync(
      path.join(scratch, 'writer.ts'),
      `
      import { TrialJournal } from '${path.join(__dirname, 'journal')}';
      const journal = TrialJournal.open<number>(${JSON.stringify(file)}, ${JSON.stringify(header)});
      for (let i = 0; i < 1_000_000; i++) {
        const key = 't' + i;
        if (!journal.has(key)) { journal.record(key, i); process.stdout.write(key + '\\n'); }
      }`,
    );
    const run = () =>
      new Promise<string[]>((resolve) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(scratch, 'writer.ts')], { cwd: path.resolve(__dirname, '../../../..') });
        const acknowledged: string[] = [];
        let buffer = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          acknowledged.push(...lines);
          if (acknowledged.length >= 200) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve(acknowledged));
      });
    const first = await run();
    const second = await run();
    const journal = TrialJournal.open<number>(file, header);
    const values = journal.values();
    journal.close();
    // every trial acknowledged by either run is in the journal, exactly once, and the second run resumed after the first
    for (const key of [...first, ...second]) expect(values).toContain(Number(key.slice(1)));
    expect(new Set(values).size).toBe(values.length);
    expect(values).toEqual(values.map((_, i) => i));
    expect(Math.min(...second.map((k) => Number(k.slice(1))))).toBeGreaterThanOrEqual(first.length);
  });
});
