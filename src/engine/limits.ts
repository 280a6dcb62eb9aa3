import { ConfigError } from '../core/index.js';

/**
 * Per-resource limits for steps that call a downstream system: at most `maxConcurrent` calls at
 * once and at most `perSecond` started per second (token bucket). Limits are per process.
 */
export class ResourceLimits {
  private readonly state = new Map<
    string,
    { active: number; waiters: Array<() => void>; tokens: number; last: number; max?: number; rate?: number }
  >();

  constructor(config: Record<string, { maxConcurrent?: number; perSecond?: number }>) {
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
}
