/**
 * Seed and scale of a chaos suite. Every random choice (operations, kill points, faults, outages)
 * comes from one PRNG seeded here and printed at start, so a failing run can be replayed with
 * `CHAOS_SEED=<seed>`. `CHAOS_SCALE=long` (`npm run chaos`) selects the long form; CI runs the
 * bounded one. Timing still varies between runs (processes, the scheduler): the seed fixes the
 * plan, not the interleaving.
 */
import { randomInt } from 'node:crypto';
import { seededRandom } from '../kube-sim/faults.ts';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks a key with probability proportional to its weight (weights > 0). */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K;
}

export interface ChaosRun {
  readonly seed: number;
  readonly long: boolean;
  /** `bounded` in CI, `long` under CHAOS_SCALE=long. */
  scale<T>(bounded: T, long: T): T;
  readonly random: Random;
  /** Prints one `[chaos] <suite>: …` line (the figures of the run). */
  report(line: string): void;
}

/** Reads CHAOS_SEED / CHAOS_SCALE; an invalid value stops the suite with a clear message. */
export function chaosRun(suite: string, env: NodeJS.ProcessEnv = process.env): ChaosRun {
  const seed = parseSeed(env.CHAOS_SEED);
  const scale = env.CHAOS_SCALE ?? 'bounded';
  if (scale !== 'bounded' && scale !== 'long')
    throw new Error(`CHAOS_SCALE must be "bounded" or "long", not "${scale}"`);
  const long = scale === 'long';
  const report = (line: string) => console.log(`[chaos] ${suite}: ${line}`);
  report(`seed ${seed} (replay with CHAOS_SEED=${seed}), scale ${scale}`);
  // Each suite draws from its own stream, so adding draws to one suite does not reshuffle the others.
  return {
    seed,
    long,
    scale: (bounded, longValue) => (long ? longValue : bounded),
    random: createRandom(seededRandom(seed ^ hashString(suite))),
    report,
  };
}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw === '') return randomInt(1, 2 ** 31);
  if (!/^\d+$/.test(raw) || Number(raw) >= 2 ** 32)
    throw new Error(`CHAOS_SEED must be an integer in [0, 2^32), not "${raw}"`);
  return Number(raw);
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function createRandom(next: () => number): Random {
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    weighted<K extends string>(weights: Partial<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [key, w] of entries) {
        r -= w;
        if (r < 0) return key;
      }
      return (entries.at(-1) as [K, number])[0];
    },
  };
}
