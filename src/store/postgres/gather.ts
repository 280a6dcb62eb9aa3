/** A request the shared statement left alone, to be applied on its own. */
export const DEFERRED = Symbol('deferred');

type Waiting<I, R> = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void };

/**
 * Gathers the requests made in the same turn of the event loop and applies them together with
 * `apply`, which answers each one (or defers it). When the shared write fails, for example because
 * one request breaks a constraint, nothing of it was written: each request is then applied on its
 * own with `alone`, so only the one at fault fails.
 */
export class Gatherer<I, R> {
  private waiting: Array<Waiting<I, R>> = [];
  /** Requests that shared a write with another one. */
  shared = 0;

  constructor(
    private readonly apply: (items: I[]) => Promise<Array<R | typeof DEFERRED>>,
    private readonly alone: (item: I) => Promise<R>,
  ) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ item, resolve, reject });
    });
  }

  flush(): void {
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.waiting = [];
    this.shared += waiting.length - 1;
    this.apply(waiting.map((w) => w.item)).then(
      (results) => {
        for (const [i, r] of results.entries()) {
          const w = waiting[i]!;
          if (r === DEFERRED) this.alone(w.item).then(w.resolve, w.reject);
          else w.resolve(r);
        }
      },
      () => {
        for (const w of waiting) this.alone(w.item).then(w.resolve, w.reject);
      },
    );
  }
}
