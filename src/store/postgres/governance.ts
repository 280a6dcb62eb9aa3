import { ConflictError, NotFoundError, newId } from '../../core/index.js';
import type {
  ApiKeyRecord,
  AuditInput,
  AuditQuery,
  AuditRecord,
  ContractTypeRecord,
  ContractVersionRecord,
  GovernanceStore,
  IdempotencyRecord,
  IngestedEvent,
  QuarantineInput,
  QuarantineQuery,
  QuarantineRecord,
} from '../governance.js';
import {
  chainLink,
  toApiKey,
  toAudit,
  toContractType,
  toContractVersion,
  toIdempotent,
  toIngested,
  toQuarantined,
} from '../governance-rows.js';
import { pageLimit } from '../paging.js';
import type { DeliverResult, InboundEvent } from '../types.js';
import {
  API_KEY_COLUMNS,
  AUDIT_COLUMNS,
  CONTRACT_TYPE_COLUMNS,
  CONTRACT_VERSION_COLUMNS,
  IDEMPOTENCY_COLUMNS,
  INGESTED_COLUMNS,
  QUARANTINE_COLUMNS,
} from './governance-columns.js';
import { paramList } from './params.js';
import { json } from './rows.js';
import type { AdvisoryLock, Session, Tx } from './transaction.js';

/** What the governance records borrow from the store they live in. */
export interface PostgresGovernanceParts {
  schema: string;
  /** Runs `op` in the store's next group-committed transaction, which first takes `locks`. */
  write<T>(op: (tx: Tx) => Promise<T>, locks?: AdvisoryLock[]): Promise<T>;
  read<T>(op: (s: Session) => Promise<T>): Promise<T>;
  /** Puts events into the engine's inbox inside the caller's transaction, exactly as `deliverEvent`. */
  deliver(tx: Tx, events: InboundEvent[]): Promise<DeliverResult[]>;
  /** The locks `deliver` needs for events of these types. */
  eventLocks(types: string[]): AdvisoryLock[];
}

/** The advisory lock that orders appenders of the audit chain in `schema`. */
export const auditChainLock = (schema: string): AdvisoryLock => ({ space: `${schema}.audit`, key: 'chain' });

/**
 * Appends audit records inside the caller's transaction, which must hold `auditChainLock`: the lock
 * is held from before the head is read until COMMIT, so no other appender interleaves, and other
 * records written in the same transaction (a rule publication) commit or roll back with them.
 */
export async function appendAuditIn(tx: Tx, entries: AuditInput[]): Promise<AuditRecord[]> {
  const head = await tx.one('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
  let seq = (head?.seq as number | undefined) ?? 0;
  let prevHash = (head?.hash as string | undefined) ?? '';
  const records = entries.map((input) => {
    const r = chainLink(prevHash, ++seq, input);
    prevHash = r.hash;
    return r;
  });
  tx.send(
    `INSERT INTO audit (seq, at, actor, action, target_kind, target_id, before_value, after_value, request_id,
       prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::text[], $10::text[], $11::text[])`,
    [
      records.map((r) => r.seq),
      records.map((r) => r.at),
      records.map((r) => r.actor),
      records.map((r) => r.action),
      records.map((r) => r.target.kind),
      records.map((r) => r.target.id),
      records.map((r) => json(r.before)),
      records.map((r) => json(r.after)),
      records.map((r) => r.requestId ?? null),
      records.map((r) => r.prevHash),
      records.map((r) => r.hash),
    ],
  );
  return records;
}

const ingestedKey = (source: string, id: string): string => JSON.stringify([source, id]);

/**
 * Governance on PostgreSQL, shared by every process on the database. Writes go through the store's
 * group committer. Races between processes are closed in the database: the audit chain and the first
 * API key are each guarded by a transaction-scoped advisory lock, so appenders take turns on one
 * gapless chain; a new contract version locks its type's row and checks the latest version under it;
 * ingested events take the event-type locks of the engine's inbox.
 */
export class PostgresGovernance implements GovernanceStore {
  private readonly auditLock: AdvisoryLock;
  private readonly keyLock: AdvisoryLock;

  constructor(private readonly p: PostgresGovernanceParts) {
    this.auditLock = auditChainLock(p.schema);
    this.keyLock = { space: `${p.schema}.api_keys`, key: 'create' };
  }

  // ---------------------------------------------------------------- contracts

  putContractType(t: ContractTypeRecord): Promise<ContractTypeRecord> {
    return this.p.write(async (tx) => {
      const row = await tx.one(
        `INSERT INTO contract_types (type, owner, description, compatibility, lifecycle, sunset_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (type) DO UPDATE SET owner = excluded.owner, description = excluded.description,
           compatibility = excluded.compatibility, lifecycle = excluded.lifecycle, sunset_at = excluded.sunset_at,
           updated_at = excluded.updated_at
         RETURNING ${CONTRACT_TYPE_COLUMNS}`,
        [
          t.type,
          t.owner,
          t.description,
          t.compatibility,
          t.lifecycle,
          t.sunsetAt ?? null,
          t.createdAt,
          t.updatedAt,
        ],
      );
      return toContractType(row!);
    });
  }

  getContractType(type: string): Promise<ContractTypeRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(`SELECT ${CONTRACT_TYPE_COLUMNS} FROM contract_types WHERE type = $1`, [type]);
      return row ? toContractType(row) : undefined;
    });
  }

  listContractTypes(): Promise<ContractTypeRecord[]> {
    return this.p.read(async (s) =>
      (await s.rows(`SELECT ${CONTRACT_TYPE_COLUMNS} FROM contract_types ORDER BY type`)).map(toContractType),
    );
  }

  addContractVersion(
    v: Omit<ContractVersionRecord, 'version'>,
    expectedLatest: number,
  ): Promise<ContractVersionRecord> {
    return this.p.write(async (tx) => {
      // the type's row lock makes adders of one type take turns; each then sees the others' versions
      if (!(await tx.one('SELECT 1 FROM contract_types WHERE type = $1 FOR UPDATE', [v.type]))) {
        throw new NotFoundError('contract type', v.type);
      }
      const latest = (
        await tx.one('SELECT coalesce(max(version), 0) AS v FROM contract_versions WHERE type = $1', [v.type])
      )?.v as number;
      if (latest !== expectedLatest) {
        throw new ConflictError(
          `contract ${v.type} is at version ${latest}, not ${expectedLatest}: another version was registered meanwhile`,
          { type: v.type, latest, expectedLatest },
        );
      }
      const row = await tx.one(
        `INSERT INTO contract_versions (type, version, schema, example, fingerprint, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING ${CONTRACT_VERSION_COLUMNS}`,
        [
          v.type,
          latest + 1,
          JSON.stringify(v.schema),
          json(v.example),
          v.fingerprint,
          v.createdAt,
          v.createdBy ?? null,
        ],
      );
      return toContractVersion(row!);
    });
  }

  getContractVersion(type: string, version?: number): Promise<ContractVersionRecord | undefined> {
    return this.p.read(async (s) => {
      const row =
        version === undefined
          ? await s.one(
              `SELECT ${CONTRACT_VERSION_COLUMNS} FROM contract_versions WHERE type = $1 ORDER BY version DESC LIMIT 1`,
              [type],
            )
          : await s.one(
              `SELECT ${CONTRACT_VERSION_COLUMNS} FROM contract_versions WHERE type = $1 AND version = $2`,
              [type, version],
            );
      return row ? toContractVersion(row) : undefined;
    });
  }

  listContractVersions(type: string): Promise<ContractVersionRecord[]> {
    return this.p.read(async (s) =>
      (
        await s.rows(
          `SELECT ${CONTRACT_VERSION_COLUMNS} FROM contract_versions WHERE type = $1 ORDER BY version`,
          [type],
        )
      ).map(toContractVersion),
    );
  }

  // ---------------------------------------------------------------- API keys

  createApiKey(key: ApiKeyRecord, options: { onlyIfNone?: boolean } = {}): Promise<boolean> {
    return this.p.write(
      async (tx) => {
        // under the lock, the check sees every key created by a transaction that held it before
        if (options.onlyIfNone && (await tx.one('SELECT 1 FROM api_keys LIMIT 1'))) return false;
        const inserted = await tx.one(
          `INSERT INTO api_keys (id, name, prefix, hash, principal, roles, scopes, created_at, created_by, revoked_at,
             revoked_by, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT DO NOTHING RETURNING id`,
          [
            key.id,
            key.name,
            key.prefix,
            key.hash,
            key.principal,
            JSON.stringify(key.roles),
            JSON.stringify(key.scopes),
            key.createdAt,
            key.createdBy ?? null,
            key.revokedAt ?? null,
            key.revokedBy ?? null,
            key.expiresAt ?? null,
            key.lastUsedAt ?? null,
          ],
        );
        if (!inserted) {
          throw new ConflictError(`an API key with id ${key.id} or the same secret exists`, { id: key.id });
        }
        return true;
      },
      [this.keyLock],
    );
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
      return row ? toApiKey(row) : undefined;
    });
  }

  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
      return row ? toApiKey(row) : undefined;
    });
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.p.read(async (s) =>
      (await s.rows(`SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).map(toApiKey),
    );
  }

  revokeApiKey(id: string, by: string, at: number): Promise<ApiKeyRecord> {
    return this.p.write(async (tx) => {
      // the first revocation stands: revoking again changes nothing
      const row =
        (await tx.one(
          `UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL
           RETURNING ${API_KEY_COLUMNS}`,
          [id, at, by],
        )) ?? (await tx.one(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]));
      if (!row) throw new NotFoundError('API key', id);
      return toApiKey(row);
    });
  }

  touchApiKey(id: string, at: number): Promise<void> {
    return this.p.write(async (tx) => {
      // never moves back: requests finishing out of order keep the latest use
      await tx.run(
        'UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
        [id, at],
      );
    });
  }

  // ---------------------------------------------------------------- audit

  appendAudit(entries: AuditInput[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.p.write((tx) => appendAuditIn(tx, entries), [this.auditLock]);
  }

  readAudit(query: AuditQuery): Promise<AuditRecord[]> {
    return this.p.read(async (s) => {
      const { values: params, add: param } = paramList();
      const where = [`seq > ${param(query.afterSeq ?? 0)}`];
      if (query.actor !== undefined) where.push(`actor = ${param(query.actor)}`);
      if (query.action !== undefined) where.push(`action = ${param(query.action)}`);
      if (query.targetKind !== undefined) where.push(`target_kind = ${param(query.targetKind)}`);
      if (query.targetId !== undefined) where.push(`target_id = ${param(query.targetId)}`);
      if (query.since !== undefined) where.push(`at >= ${param(query.since)}`);
      if (query.until !== undefined) where.push(`at < ${param(query.until)}`);
      const limit = param(pageLimit(query.limit));
      const rows = await s.adHoc(
        `SELECT ${AUDIT_COLUMNS} FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${limit}`,
        params,
      );
      return rows.map(toAudit);
    });
  }

  // ---------------------------------------------------------------- ingested events

  recordIngested(events: IngestedEvent[]): Promise<Array<{ duplicate: boolean; woke: string[] }>> {
    if (events.length === 0) return Promise.resolve([]);
    // the first of each (source, id) in the batch is the candidate; later copies are duplicates
    const firstAt = new Map<string, number>();
    events.forEach((e, i) => {
      const k = ingestedKey(e.source, e.id);
      if (!firstAt.has(k)) firstAt.set(k, i);
    });
    const candidates = [...firstAt.values()].map((i) => ({
      i,
      e: events[i]!,
      inboxId: newId(events[i]!.receivedAt),
    }));
    const types = [...new Set(candidates.map((c) => c.e.type))];
    return this.p.write(async (tx) => {
      const kept = await tx.rows(
        `INSERT INTO ingested_events (source, id, inbox_id, type, subject, time, contract_version, data, extensions,
             published_by, received_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
             $8::text[], $9::text[], $10::text[], $11::bigint[])
           ON CONFLICT (source, id) DO NOTHING
           RETURNING source, id`,
        [
          candidates.map((c) => c.e.source),
          candidates.map((c) => c.e.id),
          candidates.map((c) => c.inboxId),
          candidates.map((c) => c.e.type),
          candidates.map((c) => c.e.subject ?? null),
          candidates.map((c) => c.e.time ?? null),
          candidates.map((c) => c.e.contractVersion),
          candidates.map((c) => json(c.e.data)),
          candidates.map((c) => json(c.e.extensions)),
          candidates.map((c) => c.e.publishedBy ?? null),
          candidates.map((c) => c.e.receivedAt),
        ],
      );
      const keptKeys = new Set(kept.map((r) => ingestedKey(r.source as string, r.id as string)));
      const fresh = candidates.filter((c) => keptKeys.has(ingestedKey(c.e.source, c.e.id)));
      const delivered = fresh.length === 0 ? [] : await this.p.deliver(tx, fresh.map(inboxEvent));
      const results = events.map(() => ({ duplicate: true, woke: [] as string[] }));
      fresh.forEach((c, n) => {
        results[c.i] = { duplicate: false, woke: delivered[n]!.woke };
      });
      return results;
    }, this.p.eventLocks(types));
  }

  getIngested(source: string, id: string): Promise<IngestedEvent | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(
        `SELECT ${INGESTED_COLUMNS} FROM ingested_events WHERE source = $1 AND id = $2`,
        [source, id],
      );
      return row ? toIngested(row) : undefined;
    });
  }

  // ---------------------------------------------------------------- quarantine

  quarantine(entries: QuarantineInput[]): Promise<QuarantineRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const ids = entries.map((e) => newId(e.receivedAt));
    return this.p.write(async (tx) => {
      const rows = await tx.rows(
        `INSERT INTO quarantine (id, origin, reason, issues, payload, type, event_id, source, received_at, published_by,
           status, attempts)
         SELECT q.*, 'held', '[]' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::bigint[], $10::text[]) AS q
         RETURNING ${QUARANTINE_COLUMNS}`,
        [
          ids,
          entries.map((e) => e.origin),
          entries.map((e) => e.reason),
          entries.map((e) => JSON.stringify(e.issues)),
          entries.map((e) => json(e.payload)),
          entries.map((e) => e.type ?? null),
          entries.map((e) => e.eventId ?? null),
          entries.map((e) => e.source ?? null),
          entries.map((e) => e.receivedAt),
          entries.map((e) => e.publishedBy ?? null),
        ],
      );
      const byId = new Map(rows.map((r) => [r.id as string, toQuarantined(r)]));
      return ids.map((id) => byId.get(id)!);
    });
  }

  getQuarantined(id: string): Promise<QuarantineRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(`SELECT ${QUARANTINE_COLUMNS} FROM quarantine WHERE id = $1`, [id]);
      return row ? toQuarantined(row) : undefined;
    });
  }

  listQuarantined(query: QuarantineQuery): Promise<QuarantineRecord[]> {
    return this.p.read(async (s) => {
      const { values: params, add: param } = paramList();
      const where: string[] = [];
      if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
      if (query.type !== undefined) where.push(`type = ${param(query.type)}`);
      if (query.origin !== undefined) where.push(`origin = ${param(query.origin)}`);
      if (query.before !== undefined) where.push(`id < ${param(query.before)}`);
      const limit = param(pageLimit(query.limit));
      const rows = await s.adHoc(
        `SELECT ${QUARANTINE_COLUMNS} FROM quarantine ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT ${limit}`,
        params,
      );
      return rows.map(toQuarantined);
    });
  }

  correctQuarantined(id: string, payload: unknown, by: string, at: number): Promise<QuarantineRecord> {
    return this.p.write(async (tx) => {
      await this.mustHold(tx, id, 'corrected');
      const row = await tx.one(
        `UPDATE quarantine SET payload = $2, corrected_at = $3, corrected_by = $4 WHERE id = $1
         RETURNING ${QUARANTINE_COLUMNS}`,
        [id, json(payload), at, by],
      );
      return toQuarantined(row!);
    });
  }

  recordReplay(
    id: string,
    attempt: { at: number; by: string; ok: boolean; reason?: string },
  ): Promise<QuarantineRecord> {
    return this.p.write(async (tx) => {
      const held = await this.mustHold(tx, id, 'replayed');
      const row = await tx.one(
        `UPDATE quarantine SET attempts = $2,
           status = CASE WHEN $3 THEN 'replayed' ELSE status END,
           resolved_at = CASE WHEN $3 THEN $4 ELSE resolved_at END,
           resolved_by = CASE WHEN $3 THEN $5 ELSE resolved_by END
         WHERE id = $1
         RETURNING ${QUARANTINE_COLUMNS}`,
        [id, JSON.stringify([...held.attempts, attempt]), attempt.ok, attempt.at, attempt.by],
      );
      return toQuarantined(row!);
    });
  }

  discardQuarantined(id: string, by: string, at: number): Promise<QuarantineRecord> {
    return this.p.write(async (tx) => {
      await this.mustHold(tx, id, 'discarded');
      const row = await tx.one(
        `UPDATE quarantine SET status = 'discarded', resolved_at = $2, resolved_by = $3 WHERE id = $1
         RETURNING ${QUARANTINE_COLUMNS}`,
        [id, at, by],
      );
      return toQuarantined(row!);
    });
  }

  /** The entry, locked, which must still be held: replayed and discarded entries are closed. */
  private async mustHold(tx: Tx, id: string, verb: string): Promise<QuarantineRecord> {
    const row = await tx.one(`SELECT ${QUARANTINE_COLUMNS} FROM quarantine WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw new NotFoundError('quarantine entry', id);
    const entry = toQuarantined(row);
    if (entry.status !== 'held') {
      throw new ConflictError(`quarantine entry ${id} is ${entry.status}; only held entries can be ${verb}`, {
        status: entry.status,
      });
    }
    return entry;
  }

  // ---------------------------------------------------------------- idempotency keys

  getIdempotent(principal: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one(
        `SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys WHERE principal = $1 AND key = $2`,
        [principal, key],
      );
      return row ? toIdempotent(row) : undefined;
    });
  }

  putIdempotent(record: IdempotencyRecord): Promise<boolean> {
    return this.p.write(async (tx) => {
      const inserted = await tx.one(
        `INSERT INTO idempotency_keys (principal, key, request_hash, status, headers, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (principal, key) DO NOTHING RETURNING key`,
        [
          record.principal,
          record.key,
          record.requestHash,
          record.status,
          JSON.stringify(record.headers),
          json(record.body),
          record.createdAt,
        ],
      );
      return inserted !== undefined;
    });
  }

  pruneIdempotent(before: number): Promise<number> {
    return this.p.write((tx) => tx.run('DELETE FROM idempotency_keys WHERE created_at < $1', [before]));
  }
}

/** The engine inbox's copy of an ingested event, under its own inbox id. */
function inboxEvent(c: { e: IngestedEvent; inboxId: string }): InboundEvent {
  const event: InboundEvent = {
    id: c.inboxId,
    type: c.e.type,
    source: c.e.source,
    data: c.e.data,
    receivedAt: c.e.receivedAt,
  };
  if (c.e.subject !== undefined) event.subject = c.e.subject;
  return event;
}
