/**
 * Group commit: operations queued while a transaction is being written are applied together in the
 * next one, so concurrent runs share one durable write (one fsync) instead of paying one each.
 * Each operation runs in its own savepoint; one that throws rejects alone.
 */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Applies operations in one transaction, each isolated in a savepoint, and reports each outcome. */
export type BatchRunner<Tx> = (ops: Array<(tx: Tx) => unknown>) => Promise<Settled[]>;

interface Queued<Tx> {
  op: (tx: Tx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<Tx> {
  private queue: Queued<Tx>[] = [];
  private flushing = 0;
  private scheduled = false;
  transactions = 0;
  operations = 0;

  /**
   * `maxConcurrent` transactions may be in flight at once: 1 for a single-writer database; more
   * where the server commits concurrent transactions in parallel, so a slow commit does not stall
   * every other run's write. Operations of one run never overlap: a run waits for its commit.
   */
  constructor(
    private readonly runBatch: BatchRunner<Tx>,
    private readonly maxBatch = 512,
    private readonly maxConcurrent = 1,
  ) {}

  submit<T>(op: (tx: Tx) => T): Promise<Awaited<T>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing >= this.maxConcurrent) return;
    this.scheduled = true;
    // setImmediate lets every run whose promise resolved in this turn queue its write first.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing >= this.maxConcurrent || this.queue.length === 0) return;
    this.flushing++;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const results = await this.runBatch(batch.map((q) => q.op));
      this.transactions++;
      this.operations += batch.length;
      results.forEach((r, i) => {
        const q = batch[i]!;
        if (r.ok) q.resolve(r.value);
        else q.reject(r.error);
      });
    } catch (err) {
      for (const q of batch) q.reject(err);
    } finally {
      this.flushing--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
