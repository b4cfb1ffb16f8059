import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../spec/datasets';
import { DATASET_IDS } from '../registry';
import { adapters } from './index';

/** The spec checks know each dataset from a static table (no adapter loading at spec time); it must match the adapters. */
describe.each(DATASET_IDS)('spec facts of %s', (id) => {
  const facts = DATASETS[id];
  const adapter = adapters[id];

  it('agree with the adapter on rate, channels, labels, default channels and split names', () => {
    expect(adapter.id).toBe(id);
    expect(facts.nativeRateHz).toBe(adapter.nativeRateHz);
    expect([...facts.channels]).toEqual(adapter.channels.map((c) => c.name));
    expect([...facts.labels]).toEqual([...adapter.labels]);
    expect([...facts.defaults.channels]).toEqual([...adapter.defaultChannels]);
    expect([...facts.splits].sort()).toEqual(Object.keys(adapter.splits).sort());
    if (facts.defaults.split) expect(Object.keys(adapter.splits)).toContain(facts.defaults.split);
  });
});
