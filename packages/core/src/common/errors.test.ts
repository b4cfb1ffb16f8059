import { describe, expect, it } from 'vitest';
import { boundMessage, DataFormatError, MAX_ERROR_LINE, UserError } from './errors';

describe('UserError', () => {
  it('keeps a short message as it is', () => {
    expect(new UserError('spec.yaml:3:1: name: must be a string').message).toBe('spec.yaml:3:1: name: must be a string');
  });

  it('does not echo a 2 MB value whole: the line keeps its start and end and says how much was left out', () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    const error = new UserError(`spec.yaml:2:7: name: must match ^[a-z][a-z0-9-]*$, got "${huge}" (end)`);
    expect(error.message.length).toBeLessThan(MAX_ERROR_LINE + 100);
    expect(error.message).toMatch(/^spec\.yaml:2:7: name: must match/);
    expect(error.message).toMatch(/\(\d+ characters left out\).*\(end\)$/);
  });

  it('bounds the number of lines too, and applies to every user error kind', () => {
    expect(boundMessage(Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')).split('\n')).toHaveLength(41);
    expect(new DataFormatError('f.txt', 3, `"${'9'.repeat(100000)}" is not a number`).message.length).toBeLessThan(MAX_ERROR_LINE + 100);
  });
});
