import { describe, expect, it } from 'vitest';
import { pickWinner, type Selection } from './run-schedule';
import type { TrialOutcome } from './trial';

const selection: Selection = { monitor: 'positive-f1', precision: 'float32' };

/** A last-rung entry: only what ranking reads (the validation score and loss, MACs, SRAM, id). */
function entry(id: string, score: number, macs: number, validationLoss = 0.3, sramBytes = 8000) {
  const outcome = { validation: { positiveF1: score, macroF1: score }, validationLoss } as unknown as TrialOutcome;
  return { candidate: { id, macs, sramBytes }, outcome };
}

// ECG5000's search at f2a702c: c009 scored 0.940 with 1,025,168 MACs, c000 0.938 with 81,008.
const ecg5000LastRung = [entry('c009', 0.94, 1_025_168), entry('c000', 0.938, 81_008)];

describe('pickWinner', () => {
  it('without a tolerance the highest validation score wins, however many MACs it costs', () => {
    expect(pickWinner(ecg5000LastRung, selection, 0).candidate.id).toBe('c009');
  });

  it('within cheaperWithin of the best, the candidate with the fewest MACs wins', () => {
    expect(pickWinner(ecg5000LastRung, selection, 0.005).candidate.id).toBe('c000');
  });

  it('a candidate exactly cheaperWithin below the best is within it', () => {
    expect(pickWinner([entry('a', 0.9, 1000), entry('b', 0.85, 10)], selection, 0.05).candidate.id).toBe('b');
  });

  it('a cheaper candidate further below the best than cheaperWithin does not win', () => {
    expect(pickWinner([entry('a', 0.94, 1_000_000), entry('b', 0.92, 1000)], selection, 0.005).candidate.id).toBe('a');
  });

  it('equal MACs within the tolerance fall back to the score ranking (score, validation loss, SRAM, id)', () => {
    const rung = [entry('c', 0.9, 500, 0.2), entry('a', 0.899, 500, 0.1), entry('b', 0.9, 500, 0.1)];
    expect(pickWinner(rung, selection, 0.01).candidate.id).toBe('b');
    expect(pickWinner(rung, selection, 0).candidate.id).toBe('b');
  });

  it('ranks by macro-F1 when that is the metric', () => {
    const macro: Selection = { monitor: 'macro-f1', precision: 'float32' };
    const rung = [
      { candidate: { id: 'a', macs: 10, sramBytes: 1 }, outcome: { validation: { positiveF1: 0.9, macroF1: 0.5 }, validationLoss: 0 } as unknown as TrialOutcome },
      { candidate: { id: 'b', macs: 99, sramBytes: 1 }, outcome: { validation: { positiveF1: 0.1, macroF1: 0.7 }, validationLoss: 0 } as unknown as TrialOutcome },
    ];
    expect(pickWinner(rung, macro, 0.1).candidate.id).toBe('b');
    expect(pickWinner(rung, macro, 0.2).candidate.id).toBe('a');
  });
});
