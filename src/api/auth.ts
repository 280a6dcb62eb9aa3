import type { FastifyRequest } from 'fastify';
import type { Clock, Logger } from '../core/index.js';
import type { ApiKeyRecord, GovernanceStore } from '../store/index.js';
import { hashKey, isActive, isKeyShaped } from './keys.js';
import { forbidden, unauthorized } from './problem.js';
import { allows, type Permission, type Principal } from './roles.js';

/** Keys are looked up at most this often per key, so a busy producer costs no store read per request. */
const CACHE_MS = 5_000;
/** `lastUsedAt` is written at most this often per key. */
const TOUCH_MS = 60_000;

/** The presented key: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : '';
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

/**
 * Resolves API keys to principals. Lookups are cached briefly; a key revoked through this process is
 * dropped from the cache at once, one revoked elsewhere within a few seconds.
 */
export class KeyResolver {
  private readonly cache = new Map<string, { key: ApiKeyRecord | undefined; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly governance: GovernanceStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async resolve(presented: string | undefined): Promise<Principal> {
    if (presented === undefined)
      throw unauthorized('an API key is required: send "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
    if (!isKeyShaped(presented))
      throw unauthorized('the API key is malformed: Baton keys look like bk_<8 hex>_<43 characters>');
    const hash = hashKey(presented);
    const wall = Date.now();
    let hit = this.cache.get(hash);
    if (!hit || hit.until <= wall) {
      hit = { key: await this.governance.findApiKeyByHash(hash), until: wall + CACHE_MS };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, hit);
    }
    const key = hit.key;
    const now = this.clock.now();
    if (!key) throw unauthorized('the API key is not known');
    if (key.revokedAt !== undefined) throw unauthorized(`the API key ${key.prefix} was revoked`);
    if (!isActive(key, now)) throw unauthorized(`the API key ${key.prefix} has expired`);
    this.touch(key.id, now);
    return { name: key.principal, keyId: key.id, roles: key.roles, scopes: key.scopes };
  }

  /** Drops cached lookups of a key (after it was revoked here). */
  forget(keyId: string): void {
    for (const [hash, hit] of this.cache) if (hit.key?.id === keyId) this.cache.delete(hash);
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id) ?? 0;
    if (now - last < TOUCH_MS) return;
    this.touched.set(id, now);
    this.governance
      .touchApiKey(id, now)
      .catch((err) => this.log.warn('recording key use failed', { keyId: id, error: String(err) }));
  }
}

/** Throws 403 unless the request's principal holds `permission` on `resource`. */
export function authorize(req: FastifyRequest, permission: Permission, resource = '*'): Principal {
  const p = req.principal;
  if (!p) throw unauthorized('an API key is required');
  if (!allows(p, permission, resource)) {
    const what = resource === '*' ? permission : `${permission}:${resource}`;
    throw forbidden(
      `${p.name} (roles ${p.roles.join(', ') || 'none'}) may not ${what}${
        resource === '*' && permission.startsWith('tasks:') ? '; name a role your key covers (?role=...)' : ''
      }`,
    );
  }
  return p;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not public. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The permission a route needs before its handler runs (resource checks happen in the handler). */
    permission?: Permission;
    /** Served without a key (health, readiness, documents). */
    public?: boolean;
  }
}
