import { type DemandEvent, type DemandOptions, generateDemand } from './demand.js';
import type { Estate } from './model.js';
import { cents } from './random.js';

const HOUR_MS = 3_600_000;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** What the demand generator produced over one simulated hour or day. */
export interface DemandPeriod {
  /** Start of the period, ISO time. */
  start: string;
  step: 'hour' | 'day';
  posSales: number;
  posUnits: number;
  webOrders: number;
  webUnits: number;
  returns: number;
  returnedUnits: number;
  /** Till and web takings at the prices charged. */
  revenue: number;
}

export interface DemandRunOptions extends Omit<DemandOptions, 'hours'> {
  step?: 'hour' | 'day';
  /** Real milliseconds per simulated day; 0 runs as fast as the generator goes. */
  dayMs: number;
  /** Stop after this many simulated days; runs until stopped when absent. */
  days?: number;
  /** Every event, in time order (for example to feed the simulated systems). */
  onEvent?: (event: DemandEvent) => void;
  onPeriod: (period: DemandPeriod) => void;
}

export interface DemandRun {
  /** Resolves when the run has ended, by reaching `days` or by `stop()`. */
  done: Promise<void>;
  stop(): void;
}

const emptyPeriod = (start: number, step: 'hour' | 'day'): DemandPeriod => ({
  start: new Date(start).toISOString(),
  step,
  posSales: 0,
  posUnits: 0,
  webOrders: 0,
  webUnits: 0,
  returns: 0,
  returnedUnits: 0,
  revenue: 0,
});

function count(p: DemandPeriod, e: DemandEvent): void {
  if (e.kind === 'pos.sale') {
    p.posSales++;
    for (const l of e.payload.lines) p.posUnits += l.qty;
    p.revenue += e.payload.total;
  } else if (e.kind === 'web.order') {
    p.webOrders++;
    for (const l of e.payload.line_items) p.webUnits += l.quantity;
    p.revenue += Number(e.payload.total_price);
  } else {
    p.returns++;
    for (const l of e.payload.lines) p.returnedUnits += l.qty;
  }
}

/** One line per period, e.g. `2026-03-07 Sat: 1,234 POS sales (3,010 units), …`. */
export function describePeriod(p: DemandPeriod, currency = 'EUR'): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const ms = Date.parse(p.start);
  const when = p.step === 'day' ? p.start.slice(0, 10) : `${p.start.slice(0, 13)}:00Z`;
  const money = cents(p.revenue).toLocaleString('en-US', { minimumFractionDigits: 2 });
  return `${when} ${DAYS[(new Date(ms).getUTCDay() + 6) % 7]}: ${n(p.posSales)} POS sales (${n(p.posUnits)} units), ${n(p.webOrders)} web orders (${n(p.webUnits)} units), ${n(p.returns)} returns (${n(p.returnedUnits)} units), takings ${currency} ${money}`;
}

/**
 * Runs the demand generator against a paced simulated clock: each simulated hour takes
 * `dayMs / 24` real milliseconds, and a summary of every hour or day is reported as it closes.
 * Generation yields to the event loop every hour so the simulated systems keep answering.
 */
export function runDemand(estate: Estate, options: DemandRunOptions): DemandRun {
  const { step = 'day', dayMs, days, onEvent, onPeriod, ...demand } = options;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const run = async () => {
    const hours = days === undefined ? undefined : days * 24;
    const from = demand.start ?? estate.calendarStart;
    const startMs =
      Math.floor(Date.parse(from.length === 10 ? `${from}T00:00:00Z` : from) / HOUR_MS) * HOUR_MS;
    const events = generateDemand(estate, {
      ...demand,
      start: Number.isFinite(startMs) ? new Date(startMs).toISOString() : from,
      ...(hours === undefined ? {} : { hours }),
    });
    const began = Date.now();
    const stepHours = step === 'day' ? 24 : 1;
    let next = events.next();
    let period = emptyPeriod(startMs, step);
    for (let hour = 0; !stopped && (hours === undefined || hour < hours); hour++) {
      const hourEnd = startMs + (hour + 1) * HOUR_MS;
      while (!next.done && Date.parse(next.value.at) < hourEnd) {
        count(period, next.value);
        onEvent?.(next.value);
        next = events.next();
      }
      const wait = began + ((hour + 1) * dayMs) / 24 - Date.now();
      await (wait > 0 ? sleep(wait) : new Promise<void>((r) => setImmediate(r)));
      if ((hour + 1) % stepHours === 0) {
        if (!stopped) onPeriod(period);
        period = emptyPeriod(hourEnd, step);
      }
    }
  };
  return {
    done: run(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      wake?.();
    },
  };
}
