import type { Clock } from '../core/index.js';
import type { EstateIndex } from './estate.js';
import type { FaultController } from './faults.js';
import type { SimState } from './state.js';

/** Business timing of the simulated systems, in real milliseconds. */
export interface SimTiming {
  /** How long one simulated day lasts: supplier lead times and acknowledgement delays scale with it. */
  dayMs: number;
  /** Typical delay before a store or channel applies a price update. */
  priceApplyMs: number;
  /** Extra delay of the stores (and channels) that lag behind. */
  priceLagMs: number;
  /** Share of stores and channels that lag; which ones is fixed by the seed. */
  laggingShare: number;
  /** Largest accepted difference between an order's unit price and the price list. */
  priceTolerance: number;
}

export const DEFAULT_TIMING: Readonly<SimTiming> = Object.freeze({
  dayMs: 60_000,
  priceApplyMs: 2_000,
  priceLagMs: 30_000,
  laggingShare: 0.05,
  priceTolerance: 0.01,
});

/** What every simulated system works with. */
export interface SimContext {
  seed: string;
  index: EstateIndex;
  state: SimState;
  faults: FaultController;
  clock: Clock;
  timing: SimTiming;
  /** Delays in flight, cleared when the simulator stops. */
  timers: Set<NodeJS.Timeout>;
  /** The base URL of every running system. */
  urls(): Record<string, string>;
  /** The seeded estate as served by `GET /_sim/estate`, serialised once. */
  estateJson(): string;
}
