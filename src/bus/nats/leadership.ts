import type { KV } from 'nats';
import type { Leadership } from '../types.js';
import type { NatsLink } from './link.js';

export interface LeadershipSettings {
  /** The claim lapses this long after its holder stopped renewing it. */
  ttlMs: number;
  /** Names the holder in the bucket, for operators. */
  owner: string;
}

/**
 * Relay leadership as a JetStream key-value claim: whoever creates the key publishes and renews it
 * with a compare-and-set on its revision; the bucket's TTL lets the claim lapse when its holder dies,
 * and a standby takes over. Leadership only saves work: two relays publishing at once is safe,
 * because the server and the consumers dedupe on the event id.
 */
export class NatsLeadership implements Leadership {
  private kv: KV | undefined;
  private revision: number | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly link: NatsLink,
    private readonly settings: LeadershipSettings,
  ) {}

  /** Throws when NATS does not answer: the relay then backs off and asks again. */
  async acquire(): Promise<boolean> {
    const now = Date.now();
    // renew at a third of the TTL; a standby asks at most that often too
    if (now - this.checkedAt < this.settings.ttlMs / 3) return this.revision !== undefined;
    this.revision = await this.claim(await this.bucket());
    this.checkedAt = now;
    return this.revision !== undefined;
  }

  /** The claim's new revision, or undefined while another relay holds it. */
  private async claim(kv: KV): Promise<number | undefined> {
    const { owner } = this.settings;
    if (this.revision !== undefined) {
      try {
        return await kv.update('leader', owner, this.revision);
      } catch (err) {
        if (!isWrongRevision(err)) throw err;
      }
      // a renewal whose answer was lost may have gone through, or the claim lapsed meanwhile
      const held = await kv.get('leader');
      if (held?.operation === 'PUT') return held.string() === owner ? held.revision : undefined;
    }
    try {
      return await kv.create('leader', owner);
    } catch (err) {
      if (isWrongRevision(err)) return undefined;
      throw err;
    }
  }

  async release(): Promise<void> {
    if (this.revision === undefined || !this.kv) return;
    const revision = this.revision;
    this.revision = undefined;
    this.checkedAt = Number.NEGATIVE_INFINITY;
    await this.kv.delete('leader', { previousSeq: revision });
  }

  private async bucket(): Promise<KV> {
    // one bucket per stream: relays that publish into the same stream share one leader
    this.kv ??= await this.link.js.views.kv(`${this.link.settings.stream}_relay`, {
      ttl: this.settings.ttlMs,
      history: 1,
    });
    return this.kv;
  }
}

function isWrongRevision(err: unknown): boolean {
  return (err as { api_error?: { err_code?: number } }).api_error?.err_code === 10071;
}
