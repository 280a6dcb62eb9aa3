import { type Static, Type } from '@sinclair/typebox';
import { type Clock, ValidationError, type ValidationIssue } from '../core/index.js';
import { SYSTEM_NAMES, type SystemName } from './names.js';
import { Rng } from './random.js';
import { parse } from './validate.js';

/**
 * Faults per system: what makes a simulated system behave like one on a bad day. They are set at
 * start (`baton sim --faults FILE.json`) and changed at runtime (`POST /_sim/faults`). Random
 * draws come from a stream per system forked from the seed, so the same seed and the same
 * sequence of requests meet the same faults.
 */

const Moment = Type.Union([Type.String({ minLength: 1 }), Type.Number({ minimum: 0 })]);

const OutageSpec = Type.Object(
  {
    start: Type.Optional(Moment),
    end: Type.Optional(Moment),
    inSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    forSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

const Rate = Type.Number({ minimum: 0, maximum: 1 });
const Millis = Type.Number({ minimum: 0 });

export const FaultSpecSchema = Type.Object(
  {
    latencyMs: Type.Optional(Millis),
    jitterMs: Type.Optional(Millis),
    errorRate: Type.Optional(Rate),
    timeoutRate: Type.Optional(Rate),
    timeoutHoldMs: Type.Optional(Millis),
    slowRate: Type.Optional(Rate),
    slowMs: Type.Optional(Millis),
    outageMode: Type.Optional(Type.Union([Type.Literal('unavailable'), Type.Literal('reset')])),
    outages: Type.Optional(Type.Array(OutageSpec)),
  },
  { additionalProperties: false },
);

/** Fault settings by system name, or `*` for every system; given fields replace the current ones. */
export const FaultFileSchema = Type.Object(
  Object.fromEntries(['*', ...SYSTEM_NAMES].map((n) => [n, Type.Optional(FaultSpecSchema)])),
  { additionalProperties: false },
);

export type FaultSpec = Static<typeof FaultSpecSchema>;
export type FaultFile = Partial<Record<SystemName | '*', FaultSpec>>;

export interface OutageWindow {
  start: number;
  end: number;
}

export interface SystemFaults {
  /** Added to every answer. */
  latencyMs: number;
  /** Up to this much more, uniformly drawn. */
  jitterMs: number;
  /** Share of requests refused with 500, 502 or 503 before any effect. */
  errorRate: number;
  /** Share of requests whose effect is applied but whose answer never comes. */
  timeoutRate: number;
  /** How long an unanswered request holds its connection before it is dropped. */
  timeoutHoldMs: number;
  slowRate: number;
  /** Extra delay of a slow answer. */
  slowMs: number;
  /** `unavailable` answers 503 with Retry-After; `reset` drops the connection. */
  outageMode: 'unavailable' | 'reset';
  outages: OutageWindow[];
}

export const NO_FAULTS: Readonly<SystemFaults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  timeoutHoldMs: 60_000,
  slowRate: 0,
  slowMs: 5_000,
  outageMode: 'unavailable',
  outages: [],
});

export type FaultDecision =
  | { kind: 'outage'; until: number; mode: SystemFaults['outageMode'] }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'proceed'; delayMs: number; timeout: boolean };

export interface FaultStats {
  requests: number;
  errors: number;
  outages: number;
  timeouts: number;
  slow: number;
}

function moment(value: string | number, path: string, issues: ValidationIssue[]): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms))
    issues.push({ path, message: `"${value}" is not an ISO 8601 time or epoch milliseconds` });
  return ms;
}

/** Absolute windows from the spec's forms: `{ start, end }` or `{ inSeconds?, forSeconds }` from now. */
function resolveOutages(
  specs: FaultSpec['outages'] & object,
  now: number,
  at: string,
  where: string,
): OutageWindow[] {
  const issues: ValidationIssue[] = [];
  const windows = specs.map((o, i) => {
    const path = `${at}/outages/${i}`;
    const start =
      o.start !== undefined ? moment(o.start, `${path}/start`, issues) : now + (o.inSeconds ?? 0) * 1000;
    if (o.forSeconds !== undefined) {
      if (o.end !== undefined)
        issues.push({ path: `${path}/end`, message: 'give either end or forSeconds, not both' });
      return { start, end: start + o.forSeconds * 1000 };
    }
    if (o.end === undefined) {
      issues.push({ path, message: 'an outage needs forSeconds, or start and end' });
      return { start, end: start };
    }
    const end = moment(o.end, `${path}/end`, issues);
    if (end <= start) issues.push({ path: `${path}/end`, message: 'must be after start' });
    return { start, end };
  });
  if (issues.length > 0)
    throw new ValidationError(`${where} ${issues[0]!.path} ${issues[0]!.message}`, issues);
  return windows;
}

export class FaultController {
  private readonly faults = new Map<SystemName, SystemFaults>();
  private readonly streams = new Map<SystemName, Rng>();
  private readonly counters = new Map<SystemName, FaultStats>();

  constructor(
    seed: string,
    private readonly clock: Clock,
  ) {
    const rng = new Rng(`baton-faults/${seed}`);
    for (const name of SYSTEM_NAMES) {
      this.faults.set(name, { ...NO_FAULTS, outages: [] });
      this.streams.set(name, rng.fork(name));
      this.counters.set(name, { requests: 0, errors: 0, outages: 0, timeouts: 0, slow: 0 });
    }
  }

  /**
   * Validates `input` (a fault file) and merges it: each given field replaces the current one, `*`
   * applies to every system before the named ones. Nothing changes when any part is invalid.
   */
  apply(input: unknown, where = 'faults'): void {
    const file = parse(FaultFileSchema, input, where) as FaultFile;
    const now = this.clock.now();
    const next = new Map(this.faults);
    const merge = (name: SystemName, spec: FaultSpec, at: string) => {
      const { outages, ...rest } = spec;
      const current = next.get(name)!;
      next.set(name, {
        ...current,
        ...rest,
        outages: outages ? resolveOutages(outages, now, at, where) : current.outages,
      });
    };
    const all = file['*'];
    if (all) for (const name of SYSTEM_NAMES) merge(name, all, '/*');
    for (const name of SYSTEM_NAMES) {
      const spec = file[name];
      if (spec) merge(name, spec, `/${name}`);
    }
    for (const [name, f] of next) this.faults.set(name, f);
  }

  get(system: SystemName): Readonly<SystemFaults> {
    return this.faults.get(system)!;
  }

  stats(system: SystemName): Readonly<FaultStats> {
    return this.counters.get(system)!;
  }

  /** What the next request to `system` meets. Always draws the same count of numbers. */
  decide(system: SystemName): FaultDecision {
    const f = this.faults.get(system)!;
    const rng = this.streams.get(system)!;
    const stats = this.counters.get(system)!;
    const [error, jitter, slow, timeout, status] = [
      rng.next(),
      rng.next(),
      rng.next(),
      rng.next(),
      rng.next(),
    ];
    stats.requests++;
    const now = this.clock.now();
    const outage = f.outages.find((o) => o.start <= now && now < o.end);
    if (outage) {
      stats.outages++;
      return { kind: 'outage', until: outage.end, mode: f.outageMode };
    }
    if (error < f.errorRate) {
      stats.errors++;
      return { kind: 'error', status: ([500, 502, 503] as const)[Math.floor(status * 3)] ?? 500 };
    }
    const isSlow = slow < f.slowRate;
    if (isSlow) stats.slow++;
    const timesOut = timeout < f.timeoutRate;
    if (timesOut) stats.timeouts++;
    return {
      kind: 'proceed',
      delayMs: f.latencyMs + jitter * f.jitterMs + (isSlow ? f.slowMs : 0),
      timeout: timesOut,
    };
  }

  /** Whether `system` is inside an outage window now (health answers follow it). */
  down(system: SystemName): OutageWindow | undefined {
    const now = this.clock.now();
    return this.faults.get(system)!.outages.find((o) => o.start <= now && now < o.end);
  }

  /** The settings of every system, outages as ISO times, with request counters. */
  view(): Record<string, unknown> {
    const now = this.clock.now();
    return Object.fromEntries(
      SYSTEM_NAMES.map((name) => {
        const { outages, ...rest } = this.faults.get(name)!;
        return [
          name,
          {
            ...rest,
            outages: outages.map((o) => ({
              start: new Date(o.start).toISOString(),
              end: new Date(o.end).toISOString(),
              active: o.start <= now && now < o.end,
            })),
            stats: { ...this.counters.get(name)! },
          },
        ];
      }),
    );
  }
}
