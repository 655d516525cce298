/**
 * Seeded randomness for the simulated world. Every entity draws from its own generator, seeded by
 * (world seed, stream, index), so entity i is a pure function of the seed and i: the simulator can
 * stream any scale without holding the world in memory, and serve the same bytes for the same seed.
 */

/** One id per kind of entity or decision, so that their draws never interfere. */
export const STREAMS = {
  firm: 1,
  factoryOwner: 2,
  factory: 3,
  diwBadRow: 4,
  diwQuirk: 5,
} as const;

export type Stream = (typeof STREAMS)[keyof typeof STREAMS];

/**
 * Mixes non-negative integers (up to 2^53) into 32 bits with the murmur3 finaliser. A different
 * `start` gives a family of generators whose draws are unrelated to the default one's.
 */
export function hash32(values: readonly number[], start = 0x9e3779b9): number {
  let hash = start;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    // The low word, then the high word (no array per value: this runs for every draw of the world).
    hash = mix(hash, value >>> 0);
    hash = mix(hash, Math.floor(value / 2 ** 32) >>> 0);
  }
  return hash >>> 0;
}

function mix(hash: number, word: number): number {
  let h = Math.imul(hash ^ word, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** mulberry32: small, fast, and good enough for test data (not for anything secret). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!; // index is within bounds
  }

  /** Log-uniform in [min, max]: many small values, a few large ones, like firm sizes. */
  logUniform(min: number, max: number): number {
    return min * (max / min) ** this.next();
  }
}

export function randomFor(seed: number, stream: Stream, index: number): Random {
  return new Random(hash32([seed, stream, index]));
}

/** Picks items in proportion to their weight. */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weight: (item: T) => number,
  ) {
    let sum = 0;
    for (const item of items) {
      sum += weight(item);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(random: Random): T {
    const target = random.next() * this.total;
    const i = this.cumulative.findIndex((bound) => target < bound);
    return this.items[i === -1 ? this.items.length - 1 : i]!; // index is within bounds
  }
}
