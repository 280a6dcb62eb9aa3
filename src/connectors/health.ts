import type { BreakerState, CallStats, ConnectorStore } from '../store/index.js';

/** One system in the health view. */
export interface SystemHealth {
  system: string;
  /** `down`: the breaker is open; `degraded`: more than 5 % of the window's attempts failed. */
  status: 'up' | 'degraded' | 'down' | 'idle';
  windowMs: number;
  calls: number;
  failures: number;
  /** failures / calls over the window, 0 without calls. */
  errorRate: number;
  p50Ms?: number;
  p99Ms?: number;
  /** This process's breaker when it has a client for the system, else the one the latest record saw. */
  breaker: BreakerState;
  lastSuccessAt?: number;
  lastErrorAt?: number;
  lastError?: string;
}

export const DEFAULT_WINDOW_MS = 15 * 60_000;

/**
 * The health of each system: figures of the window from the call records (shared by every process on
 * the database), the breaker from `live` when known. Systems in `systems` without records show idle.
 */
export async function healthOf(
  store: ConnectorStore,
  options: {
    now: number;
    windowMs?: number | undefined;
    systems?: readonly string[];
    live?: ReadonlyMap<string, BreakerState>;
  },
): Promise<SystemHealth[]> {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const stats = new Map((await store.callStats({ since: options.now - windowMs })).map((s) => [s.system, s]));
  const names = [...new Set([...(options.systems ?? []), ...stats.keys()])].sort();
  return names.map((system) => view(system, stats.get(system), windowMs, options.live?.get(system)));
}

function view(
  system: string,
  s: CallStats | undefined,
  windowMs: number,
  live: BreakerState | undefined,
): SystemHealth {
  const calls = s?.calls ?? 0;
  const failures = s?.failures ?? 0;
  const errorRate = calls === 0 ? 0 : failures / calls;
  const breaker = live ?? s?.lastBreaker ?? 'closed';
  const status = breaker === 'open' ? 'down' : calls === 0 ? 'idle' : errorRate > 0.05 ? 'degraded' : 'up';
  const out: SystemHealth = { system, status, windowMs, calls, failures, errorRate, breaker };
  if (s?.p50Ms !== undefined) out.p50Ms = s.p50Ms;
  if (s?.p99Ms !== undefined) out.p99Ms = s.p99Ms;
  if (s?.lastSuccessAt !== undefined) out.lastSuccessAt = s.lastSuccessAt;
  if (s?.lastErrorAt !== undefined) out.lastErrorAt = s.lastErrorAt;
  if (s?.lastError !== undefined) out.lastError = s.lastError;
  return out;
}
