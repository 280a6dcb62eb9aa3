import type { PgClient } from './driver.js';
import { quoteIdent } from './migrate.js';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;
const ignore = () => {};

export interface WakeListenerOptions {
  /** Creates an unconnected client of its own (never a pooled one: LISTEN belongs to the session). */
  createClient: () => PgClient;
  channel: string;
  onWake: () => void;
}

/**
 * Holds one connection that LISTENs on the store's channel and calls `onWake` for every
 * notification. When the connection drops it reconnects with backoff and calls `onWake` once it
 * listens again, since notifications sent in between are lost.
 */
export class WakeListener {
  private client: PgClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay = RETRY_MIN_MS;
  private stopped = false;

  constructor(private readonly options: WakeListenerOptions) {}

  /** Connects and listens; rejects when the first connection fails. */
  async start(): Promise<void> {
    this.client = await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.query(`UNLISTEN ${quoteIdent(this.options.channel)}`).catch(ignore);
    await this.discard(client);
  }

  private async open(): Promise<PgClient> {
    const client = this.options.createClient();
    client.on('notification', (msg) => {
      if (msg.channel === this.options.channel && client === this.client) this.wake();
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.options.channel)}`);
      return client;
    } catch (err) {
      await this.discard(client);
      throw err;
    }
  }

  private async discard(client: PgClient): Promise<void> {
    client.removeAllListeners();
    client.on('error', ignore);
    await client.end().catch(ignore);
  }

  private lost(client: PgClient): void {
    if (client !== this.client || this.stopped) return;
    this.client = undefined;
    void this.discard(client);
    this.retry();
  }

  private retry(): void {
    this.timer = setTimeout(() => void this.reconnect(), this.delay);
    this.delay = Math.min(this.delay * 2, RETRY_MAX_MS);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    let client: PgClient;
    try {
      client = await this.open();
    } catch {
      if (!this.stopped) this.retry();
      return;
    }
    if (this.stopped) {
      await this.discard(client);
      return;
    }
    this.client = client;
    this.delay = RETRY_MIN_MS;
    this.wake();
  }

  private wake(): void {
    try {
      this.options.onWake();
    } catch {
      // a listener that throws must not take the connection's event handling down with it
    }
  }
}
