import { seededRandom } from '../core/index.js';

/**
 * The simulator's only source of randomness. Every draw goes through a labelled stream derived
 * from the run's seed, so one part of the estate (say, supplier behaviour) does not shift when
 * another part (say, the SKU count) draws more or fewer numbers.
 */
export class Rng {
  private readonly draw: () => number;

  constructor(readonly seed: string) {
    this.draw = seededRandom(seed);
  }

  /** An independent stream for one concern, e.g. `rng.fork('stock')`. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.draw() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  float(min: number, max: number): number {
    return min + this.draw() * (max - min);
  }

  chance(p: number): boolean {
    return this.draw() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.draw() * items.length)] as T;
  }

  /** An index drawn in proportion to `weights` (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.draw() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** `k` distinct items, in draw order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    for (let i = 0; i < k && pool.length > 0; i++)
      out.push(pool.splice(Math.floor(this.draw() * pool.length), 1)[0] as T);
    return out;
  }

  /** A Poisson count with mean `lambda`: arrivals of shoppers in an hour, units in a basket. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      // normal approximation; exact sampling would need ~lambda draws
      const u = Math.max(this.draw(), Number.EPSILON);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.draw());
      return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.draw();
    while (p > limit) {
      k++;
      p *= this.draw();
    }
    return k;
  }
}

/** Rounds to cents: money in the estate is always a whole number of cents. */
export const cents = (amount: number): number => Math.round(amount * 100) / 100;
