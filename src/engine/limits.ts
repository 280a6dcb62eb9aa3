import { ConfigError } from '../core/index.js';
import type { Store } from '../store/index.js';

/**
 * Per-resource limits for steps that call a downstream system: at most `maxConcurrent` calls at
 * once and at most `perSecond` started per second (token bucket). On a store with shared limits
 * (PostgreSQL) they hold across every worker process; otherwise they hold within this process.
 */
export class ResourceLimits {
  private held = 0;
  private readonly shared: Store | undefined;

  private readonly state = new Map<
    string,
    { active: number; waiters: Array<() => void>; tokens: number; last: number; max?: number; rate?: number }
  >();

  constructor(
    private readonly config: Record<string, { maxConcurrent?: number; perSecond?: number }>,
    store?: Store,
    private readonly holderPrefix = 'worker',
    private readonly leaseMs = 60_000,
  ) {
    this.shared = store?.capabilities.sharedLimits && store.acquireResource ? store : undefined;
    for (const [name, c] of Object.entries(config)) {
      this.state.set(name, {
        active: 0,
        waiters: [],
        tokens: c.perSecond ?? 0,
        last: Date.now(),
        max: c.maxConcurrent,
        rate: c.perSecond,
      });
    }
  }

  has(name: string): boolean {
    return this.state.has(name);
  }

  /** Waits for a slot on `name`; resolves to a release function. */
  async acquire(name: string): Promise<() => void> {
    const s = this.state.get(name);
    if (!s) throw new ConfigError(`resource "${name}" has no limits configured (config.resources.${name})`);
    if (this.shared) return this.acquireShared(this.shared, name);
    if (s.max !== undefined) {
      while (s.active >= s.max) await new Promise<void>((r) => s.waiters.push(r));
      s.active++;
    }
    if (s.rate !== undefined) {
      for (;;) {
        const now = Date.now();
        s.tokens = Math.min(s.rate, s.tokens + ((now - s.last) / 1000) * s.rate);
        s.last = now;
        if (s.tokens >= 1) {
          s.tokens -= 1;
          break;
        }
        await new Promise((r) => setTimeout(r, Math.ceil(((1 - s.tokens) / s.rate!) * 1000)));
      }
    }
    let released = false;
    return () => {
      if (released || s.max === undefined) return;
      released = true;
      s.active--;
      s.waiters.shift()?.();
    };
  }

  private async acquireShared(store: Store, name: string): Promise<() => void> {
    const limits = this.config[name]!;
    const holder = `${this.holderPrefix}:${++this.held}`;
    for (;;) {
      const grant = await store.acquireResource!({
        name,
        holder,
        ...limits,
        now: Date.now(),
        leaseMs: this.leaseMs,
      });
      if (grant.granted) break;
      await new Promise((r) => setTimeout(r, grant.retryInMs));
    }
    let released = false;
    return () => {
      if (released || limits.maxConcurrent === undefined) return;
      released = true;
      void store.releaseResource!(name, holder).catch(() => {});
    };
  }
}
