import type { Random } from '../common/random';
import { RR_INTERVALS } from '../data/rr-features';
import { fillWindow, type LoadedWindowStore } from '../data/window-store';
import { evidentialDecision } from './evidential';
import { runQuantized, type InterpreterResult } from './interpreter';
import type { GoldenVector } from './quantized-files';
import type { QuantizedModel } from './quantized-model';
import { fitInputGate } from './input-gate';
import { damageRaw, physicalToRaw, rawToInput, rawZeroInput, type RawDamage, type RawInputSpec } from './raw-input';

/** Window w as stored: [t][c] in each channel's physical unit (not z-scored), derived channels (RR features) included. */
export function physicalWindow(store: LoadedWindowStore, w: number): Float64Array {
  const C = store.manifest.window.channels.length;
  const out = new Float64Array(store.manifest.window.length * C);
  fillWindow(store, w, new Float64Array(C), new Float64Array(C).fill(1), out);
  return out;
}

/** Window w as the device is fed it: the stored window in raw sensor counts, mapped to the int8 input by the integer map. */
export function deviceInput(rawInput: RawInputSpec, store: LoadedWindowStore, w: number): Int8Array {
  return rawToInput(rawInput, physicalToRaw(rawInput, physicalWindow(store, w)));
}

/** `model` with an input gate fitted on `windows` as the device gets them (models with exits only). */
export function withDeviceInputGate(model: QuantizedModel, rawInput: RawInputSpec, store: LoadedWindowStore, windows: Uint32Array): QuantizedModel {
  if (model.exits.length === 0 || windows.length === 0) return model;
  return {
    ...model,
    inputGate: fitInputGate(
      rawZeroInput(rawInput),
      Array.from(windows, (w) => deviceInput(rawInput, store, w)),
    ),
  };
}

/**
 * Up to `count` test windows, a round-robin over the (E + 1) classes so every event is represented, each with the
 * integer model's full answer. Drawn by `random`, ordered by window index.
 */
export function goldenVectors(
  model: QuantizedModel,
  rawInput: RawInputSpec,
  store: LoadedWindowStore,
  windows: Uint32Array,
  eventOfClass: number[],
  count: number,
  random: Random,
): GoldenVector[] {
  const byClass = new Map<number, number[]>();
  for (const w of windows) {
    const c = eventOfClass[store.windowLabel[w]] + 1;
    const list = byClass.get(c);
    if (list) list.push(w);
    else byClass.set(c, [w]);
  }
  const pools = [...byClass.keys()].sort((a, b) => a - b).map((c) => random.shuffle(byClass.get(c) as number[]));
  const chosen: number[] = [];
  for (let round = 0; chosen.length < Math.min(count, windows.length); round++) {
    for (const pool of pools) if (round < pool.length && chosen.length < count) chosen.push(pool[round]);
  }
  // With an input gate, the last two become damaged copies, so the firmware's gate is checked rejecting windows too.
  const damages: RawDamage[] =
    model.inputGate && chosen.length >= 4
      ? [
          { kind: 'missing', fraction: 0.5 },
          { kind: 'noise', sigma: 1 },
        ]
      : [];
  return chosen
    .sort((a, b) => a - b)
    .map((w, i) => {
      const damage = damages[i - (chosen.length - damages.length)];
      return goldenVector(model, rawInput, store, w, damage ? { damage, random } : null);
    });
}

/** One window's golden vector: its raw and int8 input, the exits as deployed and all exits evaluated. */
function goldenVector(
  model: QuantizedModel,
  rawInput: RawInputSpec,
  store: LoadedWindowStore,
  w: number,
  damaged: { damage: RawDamage; random: Random } | null,
): GoldenVector {
  const clean = physicalToRaw(rawInput, physicalWindow(store, w));
  const raw = damaged ? damageRaw(rawInput, clean, damaged.damage, damaged.random) : clean;
  const input = rawToInput(rawInput, raw);
  const result = runQuantized(model, input);
  const all = runQuantized(model, input, { runAllExits: true });
  const evidenceOf = (r: InterpreterResult, op: number) => Array.from(r.tensors[op + 1] as Int8Array);
  const taken = result.exits.find((e) => e.exit === result.exitTaken);
  return {
    window: w,
    subject: store.manifest.subjects[store.windowSubject[w]].id,
    label: store.manifest.classes[store.windowLabel[w]],
    damage: damaged ? (damaged.damage.kind === 'noise' ? `noise σ=${damaged.damage.sigma}` : `missing ${Math.round(damaged.damage.fraction * 100)}%`) : null,
    inputOk: result.inputGate ? result.inputGate.ok : null,
    raw: Array.from(raw),
    ...(store.windowRr && !damaged ? { rrIntervals: Array.from(store.windowRr.subarray(w * RR_INTERVALS, (w + 1) * RR_INTERVALS)) } : {}),
    input: Array.from(input),
    exitTaken: result.exitTaken,
    exits: result.exits.map((e) => ({
      exit: e.exit,
      evidence: evidenceOf(result, e.op),
      pQ15: e.estimate.events.map((x) => x.pQ15),
      uQ15: e.estimate.events.map((x) => x.uQ15),
      present: e.estimate.events.map((x) => (x.present ? 1 : 0)),
      maxUQ15: e.estimate.maxUQ15,
      takes: e.takes,
    })),
    output: Array.from(result.output),
    decision: taken ? evidentialDecision(taken.estimate.events) : 0,
    allExits: all.exits.map((e) => ({
      exit: e.exit,
      evidence: evidenceOf(all, e.op),
      pQ15: e.estimate.events.map((x) => x.pQ15),
      uQ15: e.estimate.events.map((x) => x.uQ15),
    })),
  };
}
