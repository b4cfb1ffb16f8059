import { describe, expect, it } from 'vitest';
import { PredictionSet, writeEvidential } from './predictions';
import { silentEventWarnings, silentEvents } from './silent-events';

const EVENTS = ['walking', 'walking_upstairs'];

/** One exit's predictions from raw evidence rows [e⁺_walking, e⁻_walking, e⁺_upstairs, e⁻_upstairs]. */
function exitOf(rows: number[][]): PredictionSet {
  const set = new PredictionSet(rows.length, EVENTS.length);
  rows.forEach((row, i) => writeEvidential(row, set, i));
  return set;
}

// Four validation windows: walking, walking, upstairs, upstairs.
const truth = Uint8Array.from([1, 1, 2, 2]);
const healthy = exitOf([
  [5, 0, 0, 4],
  [6, 1, 0, 3],
  [0, 5, 7, 0],
  [1, 4, 2, 1],
]);
// HAPT's stage-wise deep exit: the upstairs unit's ReLU e⁺ is 0 on every window, so it never decides upstairs.
const deadUpstairs = exitOf([
  [5, 0, 0, 4],
  [6, 1, 0, 3],
  [4, 2, 0, 2],
  [3, 1, 0, 0],
]);

describe('silentEvents', () => {
  it('finds nothing when every exit decides every event that occurs', () => {
    expect(silentEvents([healthy, healthy], truth, EVENTS)).toEqual([]);
  });

  it('names the exit that decides an occurring event on no validation window, with its support', () => {
    expect(silentEvents([healthy, healthy, deadUpstairs], truth, EVENTS)).toEqual([{ exit: 2, event: 'walking_upstairs', support: 2, windows: 4 }]);
  });

  it('an event absent from the validation windows is not silent', () => {
    expect(silentEvents([deadUpstairs], Uint8Array.from([1, 1, 0, 0]), EVENTS)).toEqual([]);
  });
});

describe('silentEventWarnings', () => {
  const silent = silentEvents([healthy, healthy, deadUpstairs], truth, EVENTS);

  it('names the exit as the reports do and, for ReLU evidence, the dead unit and the remedies', () => {
    const [warning] = silentEventWarnings(silent, 3, 'relu');
    expect(warning).toMatch(/^warning: the deep exit decides walking_upstairs on none of the 4 validation windows \(2 of them are walking_upstairs\)\./);
    expect(warning).toContain('`training: joint` or `evidence: exp`');
  });

  it('says "1 of them is" for a single window', () => {
    const one = silentEvents([deadUpstairs], Uint8Array.from([1, 1, 2, 0]), EVENTS);
    expect(silentEventWarnings(one, 1, 'exp')[0]).toContain('(1 of them is walking_upstairs)');
  });

  it('does not blame a ReLU unit when the evidence is exp', () => {
    const [warning] = silentEventWarnings(silent, 3, 'exp');
    expect(warning).not.toContain('ReLU');
  });

  it('names the exits as the train-cascade summary does: shallow, medium, deep with 3, else by index', () => {
    const first = silentEvents([deadUpstairs, healthy, healthy], truth, EVENTS);
    expect(silentEventWarnings(first, 3, 'exp')[0]).toContain('the shallow exit decides');
    expect(silentEventWarnings(first, 2, 'exp')[0]).toMatch(/^warning: exit 0 decides/);
  });
});
