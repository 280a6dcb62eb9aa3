import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, newId, ValidationError, type ValidationIssue } from '../core/index.js';
import type { ApiKeyRecord, GovernanceStore } from '../store/index.js';
import { type Actor, recordChange } from './audit.js';
import { isRole, roleNames, scopeProblems } from './roles.js';

/**
 * API keys: `bk_<prefix>_<secret>`, 4 random bytes of prefix (shown in listings so people can tell
 * keys apart) and 32 of secret. Only the sha256 of the whole key is stored, so the key is shown once.
 */
const KEY = /^bk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether `key` has the shape of a Baton key (before any lookup). */
export function isKeyShaped(key: string): boolean {
  return KEY.test(key);
}

export interface NewKey {
  name: string;
  roles: string[];
  scopes?: string[];
  /** Defaults to `key:<name>`. */
  principal?: string;
  expiresAt?: number;
}

/** A key just made: the record stored and the secret, which exists nowhere else. */
export interface IssuedKey {
  record: ApiKeyRecord;
  secret: string;
}

/** What listings and the audit log show of a key: never its hash. */
export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;

export function keyView(record: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = record;
  return view;
}

const PRINCIPAL = /^[A-Za-z0-9._:@-]{1,200}$/;

function checkNewKey(k: NewKey, now: number): void {
  const issues: ValidationIssue[] = [];
  if (typeof k.name !== 'string' || k.name.trim() === '' || k.name.length > 100)
    issues.push({ path: '/name', message: 'must be 1 to 100 characters' });
  if (!Array.isArray(k.roles) || k.roles.length === 0)
    issues.push({ path: '/roles', message: `needs at least one role (${roleNames.join(', ')})` });
  else
    k.roles.forEach((r, i) => {
      if (!isRole(r))
        issues.push({ path: `/roles/${i}`, message: `"${r}" is not a role (${roleNames.join(', ')})` });
    });
  (k.scopes ?? []).forEach((s, i) => {
    for (const message of scopeProblems([s])) issues.push({ path: `/scopes/${i}`, message });
  });
  if (k.principal !== undefined && !PRINCIPAL.test(k.principal))
    issues.push({
      path: '/principal',
      message: 'must be 1 to 200 letters, digits or . _ : @ - (for example svc:shop or user:ana)',
    });
  if (k.expiresAt !== undefined && (!Number.isFinite(k.expiresAt) || k.expiresAt <= now))
    issues.push({ path: '/expiresAt', message: 'must lie in the future' });
  if (issues.length > 0)
    throw new ValidationError(
      `invalid key: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      issues,
    );
}

/** A fresh key record and its secret; nothing is stored yet. */
export function generateKey(k: NewKey, now: number, createdBy?: string): IssuedKey {
  checkNewKey(k, now);
  const prefix = randomBytes(4).toString('hex');
  const secret = `bk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id: newId(now),
    name: k.name.trim(),
    prefix: `bk_${prefix}`,
    hash: hashKey(secret),
    principal: k.principal ?? `key:${k.name.trim()}`,
    roles: [...new Set(k.roles)],
    scopes: [...new Set(k.scopes ?? [])],
    createdAt: now,
  };
  if (createdBy) record.createdBy = createdBy;
  if (k.expiresAt !== undefined) record.expiresAt = k.expiresAt;
  return { record, secret };
}

/** Creates and stores a key, with its audit record. */
export async function createKey(
  governance: GovernanceStore,
  k: NewKey,
  actor: Actor,
  now: number,
): Promise<IssuedKey> {
  const issued = generateKey(k, now, actor.name);
  await governance.createApiKey(issued.record);
  await recordChange(governance, actor, now, {
    action: 'key.created',
    target: { kind: 'key', id: issued.record.id },
    after: keyView(issued.record),
  });
  return issued;
}

/**
 * The first admin key, made only when no key exists at all (a fresh install); undefined otherwise.
 * Several processes starting at once create one between them.
 */
export async function ensureFirstAdminKey(
  governance: GovernanceStore,
  now: number,
): Promise<IssuedKey | undefined> {
  if ((await governance.listApiKeys()).length > 0) return undefined;
  const issued = generateKey({ name: 'first-admin', roles: ['admin'], principal: 'admin' }, now, 'system');
  if (!(await governance.createApiKey(issued.record, { onlyIfNone: true }))) return undefined;
  await recordChange(governance, { name: 'system' }, now, {
    action: 'key.created',
    target: { kind: 'key', id: issued.record.id },
    after: keyView(issued.record),
  });
  return issued;
}

export function isActive(k: ApiKeyRecord, now: number): boolean {
  return k.revokedAt === undefined && (k.expiresAt === undefined || k.expiresAt > now);
}

/** Revokes a key. Refuses to revoke the last active admin key, which would leave nobody able to manage keys. */
export async function revokeKey(
  governance: GovernanceStore,
  id: string,
  actor: Actor,
  now: number,
): Promise<ApiKeyRecord> {
  const key = await governance.getApiKey(id);
  if (!key) throw new NotFoundError('key', id);
  if (key.revokedAt !== undefined) throw new ConflictError(`key ${id} was already revoked`);
  if (key.roles.includes('admin')) {
    const admins = (await governance.listApiKeys()).filter(
      (k) => k.id !== id && k.roles.includes('admin') && isActive(k, now),
    );
    if (admins.length === 0)
      throw new ConflictError(
        `key ${id} is the last active admin key; create another admin key before revoking it`,
      );
  }
  const revoked = await governance.revokeApiKey(id, actor.name, now);
  await recordChange(governance, actor, now, {
    action: 'key.revoked',
    target: { kind: 'key', id },
    before: { revokedAt: null },
    after: { revokedAt: revoked.revokedAt, revokedBy: revoked.revokedBy },
  });
  return revoked;
}
