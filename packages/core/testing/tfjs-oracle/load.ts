/** The tfjs API (tfjs-node exports the same one). A type-only import: nothing loads tfjs until loadTfjs() runs. */
export type Tf = typeof import('@tensorflow/tfjs');

export interface LoadedTfjs {
  tf: Tf;
  /** Which package answered: the native one when it installed, else the pure-JS one. */
  from: '@tensorflow/tfjs-node' | '@tensorflow/tfjs';
  backend: string;
}

let loading: Promise<LoadedTfjs> | undefined;

/**
 * Loads tfjs once: `@tensorflow/tfjs-node` when it loads (an optionalDependency whose install downloads libtensorflow,
 * so on an offline machine it is missing or broken and requiring it throws), else `@tensorflow/tfjs` on its CPU
 * backend. Kept out of every default code path: only the tfjs engine and the benchmark call this. The first call's
 * `native` choice holds for the process (tfjs is a process-wide singleton).
 */
export function loadTfjs(options: { native?: boolean } = {}): Promise<LoadedTfjs> {
  loading ??= load(options.native ?? true);
  return loading;
}

async function load(native: boolean): Promise<LoadedTfjs> {
  if (native) {
    try {
      const tf = require('@tensorflow/tfjs-node') as Tf;
      await tf.ready();
      return { tf, from: '@tensorflow/tfjs-node', backend: tf.getBackend() };
    } catch {
      // not installed, or its native library is missing: fall through to the pure-JS package
    }
  }
  const tf = require('@tensorflow/tfjs') as Tf;
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, from: '@tensorflow/tfjs', backend: tf.getBackend() };
}
