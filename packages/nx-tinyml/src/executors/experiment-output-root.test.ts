import { describe, expect, it } from 'vitest';
import { normalizeOptions, stageTargets } from '../plugin/targets';

const noCode = { files: [], packages: [] };
const code = new Proxy({}, { get: () => noCode });
import { experimentOutputRoot } from './experiment-output-root';

const experiment = { name: 'fall-esp32', root: 'projects/fall-esp32', board: 'esp32-s2', dataset: 'sisfall' };

describe('where executors write', () => {
  it('is where the plugin told Nx the outputs are, including a custom outputRoot', () => {
    expect(experimentOutputRoot('/ws', { targets: stageTargets(experiment, normalizeOptions(undefined), code) }, 'fall-esp32')).toBe(
      '/ws/dist/experiments/fall-esp32',
    );
    expect(experimentOutputRoot('/ws', { targets: stageTargets(experiment, normalizeOptions({ outputRoot: 'out/ml/' }), code) }, 'fall-esp32')).toBe(
      '/ws/out/ml/fall-esp32',
    );
  });
});
