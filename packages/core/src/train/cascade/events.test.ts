import { describe, expect, it } from 'vitest';
import { syntheticWindowStore } from '../../../testing/train/synthetic-store';
import { FoldData } from '../dataset';
import { eventClassWeights, eventLossWeights, resolveEvents } from './events';

// 8 subjects of 100 windows, a fall every 20th: 5 % falls, the rare-event regime the weighting is for
const store = syntheticWindowStore({ subjects: 8, windowsPerSubject: 100, fallEvery: 20, seed: 5 });
const data = new FoldData(store, { fold: 0, seed: 1, validationSubjects: 1 });
const counts = data.counts(data.train);
const events = resolveEvents(store.manifest.classes, null, counts);
const total = counts[0] + counts[1];

describe('eventLossWeights', () => {
  it('weights an event’s negatives and positives by n / (2·n_y), so both halves carry the same total weight', () => {
    const [[negative, positive]] = eventLossWeights(events, data, true);
    expect(negative).toBeCloseTo(total / (2 * counts[0]), 12);
    expect(positive).toBeCloseTo(total / (2 * counts[1]), 12);
    expect(negative * counts[0]).toBeCloseTo(positive * counts[1], 9);
  });

  it('under sqrt takes the square root of each weight: the rare event still counts more, by the square root of the ratio', () => {
    const [[negative, positive]] = eventLossWeights(events, data, 'sqrt');
    const [[fullNegative, fullPositive]] = eventLossWeights(events, data, true);
    expect(negative).toBeCloseTo(Math.sqrt(fullNegative), 12);
    expect(positive).toBeCloseTo(Math.sqrt(fullPositive), 12);
    expect(positive / negative).toBeCloseTo(Math.sqrt(counts[0] / counts[1]), 9);
    expect(positive / negative).toBeGreaterThan(1);
  });

  it('is all ones with weighting off', () => {
    expect(eventLossWeights(events, data, false)).toEqual([[1, 1]]);
  });
});

describe('eventClassWeights (softmax baselines)', () => {
  it('gives n / (k·n_i), their square roots under sqrt, or ones', () => {
    const full = eventClassWeights(events, data, true);
    expect(full[0]).toBeCloseTo(total / (2 * counts[0]), 12);
    expect(full[1]).toBeCloseTo(total / (2 * counts[1]), 12);
    expect(eventClassWeights(events, data, 'sqrt')).toEqual(full.map(Math.sqrt));
    expect(eventClassWeights(events, data, false)).toEqual([1, 1]);
  });
});
