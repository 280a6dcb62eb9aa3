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
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { json } from './rows.js';

type Row = Record<string, unknown>;

/** What the governance records borrow from the store they live in. */
export interface SqliteGovernanceParts {
  db: SqliteDatabase;
  /** Runs `op` in the store's next group-committed transaction, beside the engine's writes. */
  write<T>(op: () => T): Promise<T>;
  read<T>(op: () => T): Promise<T>;
  /** Puts events into the engine's inbox inside the caller's transaction, exactly as `deliverEvent`. */
  deliver(events: InboundEvent[]): DeliverResult[];
}

/**
 * Appends audit records inside the caller's write transaction, chained to the last record; other
 * records written in the same transaction (a rule publication) commit or roll back with them.
 */
export function appendAuditIn(q: (sql: string) => SqliteStatement, entries: AuditInput[]): AuditRecord[] {
  const head = q('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
  let seq = (head?.seq as number | undefined) ?? 0;
  let prevHash = (head?.hash as string | undefined) ?? '';
  const insert = q(
    `INSERT INTO audit (seq, at, actor, action, target_kind, target_id, before_value, after_value, request_id,
       prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return entries.map((input) => {
    const r = chainLink(prevHash, ++seq, input);
    insert.run(
      r.seq,
      r.at,
      r.actor,
      r.action,
      r.target.kind,
      r.target.id,
      json(r.before),
      json(r.after),
      r.requestId ?? null,
      r.prevHash,
      r.hash,
    );
    prevHash = r.hash;
    return r;
  });
}

/**
 * Governance on the embedded store. Every write is one operation of the store's group committer, so
 * it shares transactions with engine writes and, through `BEGIN IMMEDIATE`, is serialised with every
 * other process writing the same file: the audit chain reads its head and appends in one transaction.
 */
export class SqliteGovernance implements GovernanceStore {
  private readonly stmts = new Map<string, SqliteStatement>();

  constructor(private readonly s: SqliteGovernanceParts) {}

  /** Prepares a statement once; filtered queries have a small, fixed set of shapes. */
  private q(sql: string): SqliteStatement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.s.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  // ---------------------------------------------------------------- contracts

  putContractType(t: ContractTypeRecord): Promise<ContractTypeRecord> {
    return this.s.write(() => {
      this.q(
        `INSERT INTO contract_types (type, owner, description, compatibility, lifecycle, sunset_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (type) DO UPDATE SET owner = excluded.owner, description = excluded.description,
           compatibility = excluded.compatibility, lifecycle = excluded.lifecycle, sunset_at = excluded.sunset_at,
           updated_at = excluded.updated_at`,
      ).run(
        t.type,
        t.owner,
        t.description,
        t.compatibility,
        t.lifecycle,
        t.sunsetAt ?? null,
        t.createdAt,
        t.updatedAt,
      );
      return toContractType(this.q('SELECT * FROM contract_types WHERE type = ?').get(t.type) as Row);
    });
  }

  getContractType(type: string): Promise<ContractTypeRecord | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM contract_types WHERE type = ?').get(type) as Row | undefined;
      return row ? toContractType(row) : undefined;
    });
  }

  listContractTypes(): Promise<ContractTypeRecord[]> {
    return this.s.read(() =>
      (this.q('SELECT * FROM contract_types ORDER BY type').all() as Row[]).map(toContractType),
    );
  }

  addContractVersion(
    v: Omit<ContractVersionRecord, 'version'>,
    expectedLatest: number,
  ): Promise<ContractVersionRecord> {
    return this.s.write(() => {
      if (!this.q('SELECT 1 FROM contract_types WHERE type = ?').get(v.type)) {
        throw new NotFoundError('contract type', v.type);
      }
      const latest = (
        this.q('SELECT coalesce(max(version), 0) AS v FROM contract_versions WHERE type = ?').get(
          v.type,
        ) as Row
      ).v as number;
      if (latest !== expectedLatest) {
        throw new ConflictError(
          `contract ${v.type} is at version ${latest}, not ${expectedLatest}: another version was registered meanwhile`,
          { type: v.type, latest, expectedLatest },
        );
      }
      const version = latest + 1;
      this.q(
        `INSERT INTO contract_versions (type, version, schema, example, fingerprint, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        v.type,
        version,
        JSON.stringify(v.schema),
        json(v.example),
        v.fingerprint,
        v.createdAt,
        v.createdBy ?? null,
      );
      return toContractVersion(
        this.q('SELECT * FROM contract_versions WHERE type = ? AND version = ?').get(v.type, version) as Row,
      );
    });
  }

  getContractVersion(type: string, version?: number): Promise<ContractVersionRecord | undefined> {
    return this.s.read(() => {
      const row = (
        version === undefined
          ? this.q('SELECT * FROM contract_versions WHERE type = ? ORDER BY version DESC LIMIT 1').get(type)
          : this.q('SELECT * FROM contract_versions WHERE type = ? AND version = ?').get(type, version)
      ) as Row | undefined;
      return row ? toContractVersion(row) : undefined;
    });
  }

  listContractVersions(type: string): Promise<ContractVersionRecord[]> {
    return this.s.read(() =>
      (this.q('SELECT * FROM contract_versions WHERE type = ? ORDER BY version').all(type) as Row[]).map(
        toContractVersion,
      ),
    );
  }

  // ---------------------------------------------------------------- API keys

  createApiKey(key: ApiKeyRecord, options: { onlyIfNone?: boolean } = {}): Promise<boolean> {
    return this.s.write(() => {
      if (options.onlyIfNone && this.q('SELECT 1 FROM api_keys LIMIT 1').get()) return false;
      const inserted = this.q(
        `INSERT INTO api_keys (id, name, prefix, hash, principal, roles, scopes, created_at, created_by, revoked_at,
           revoked_by, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ).run(
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
      );
      if (inserted.changes === 0) {
        throw new ConflictError(`an API key with id ${key.id} or the same secret exists`, { id: key.id });
      }
      return true;
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
      return row ? toApiKey(row) : undefined;
    });
  }

  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM api_keys WHERE hash = ?').get(hash) as Row | undefined;
      return row ? toApiKey(row) : undefined;
    });
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.s.read(() =>
      (this.q('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[]).map(toApiKey),
    );
  }

  revokeApiKey(id: string, by: string, at: number): Promise<ApiKeyRecord> {
    return this.s.write(() => {
      // the first revocation stands: revoking again changes nothing
      this.q('UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(
        at,
        by,
        id,
      );
      const row = this.q('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
      if (!row) throw new NotFoundError('API key', id);
      return toApiKey(row);
    });
  }

  touchApiKey(id: string, at: number): Promise<void> {
    return this.s.write(() => {
      // never moves back: requests finishing out of order keep the latest use
      this.q(
        'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
      ).run(at, id, at);
    });
  }

  // ---------------------------------------------------------------- audit

  appendAudit(entries: AuditInput[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.s.write(() => appendAuditIn((sql) => this.q(sql), entries));
  }

  readAudit(query: AuditQuery): Promise<AuditRecord[]> {
    return this.s.read(() => {
      const where = ['seq > @afterSeq'];
      if (query.actor !== undefined) where.push('actor = @actor');
      if (query.action !== undefined) where.push('action = @action');
      if (query.targetKind !== undefined) where.push('target_kind = @targetKind');
      if (query.targetId !== undefined) where.push('target_id = @targetId');
      if (query.since !== undefined) where.push('at >= @since');
      if (query.until !== undefined) where.push('at < @until');
      const sql = `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
      const params: Record<string, unknown> = {
        afterSeq: query.afterSeq ?? 0,
        limit: pageLimit(query.limit),
      };
      for (const k of ['actor', 'action', 'targetKind', 'targetId', 'since', 'until'] as const) {
        if (query[k] !== undefined) params[k] = query[k];
      }
      return (this.q(sql).all(params) as Row[]).map(toAudit);
    });
  }

  // ---------------------------------------------------------------- ingested events

  recordIngested(events: IngestedEvent[]): Promise<Array<{ duplicate: boolean; woke: string[] }>> {
    if (events.length === 0) return Promise.resolve([]);
    return this.s.write(() => {
      const insert = this.q(
        `INSERT INTO ingested_events (source, id, inbox_id, type, subject, time, contract_version, data, extensions,
           published_by, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, id) DO NOTHING`,
      );
      const fresh: Array<{ index: number; event: InboundEvent }> = [];
      events.forEach((e, index) => {
        const inboxId = newId(e.receivedAt);
        const kept = insert.run(
          e.source,
          e.id,
          inboxId,
          e.type,
          e.subject ?? null,
          e.time ?? null,
          e.contractVersion,
          json(e.data),
          json(e.extensions),
          e.publishedBy ?? null,
          e.receivedAt,
        );
        // stored before, or earlier in this batch: the first one stands
        if (kept.changes > 0) fresh.push({ index, event: inboxEvent(inboxId, e) });
      });
      const results = events.map(() => ({ duplicate: true, woke: [] as string[] }));
      const delivered = this.s.deliver(fresh.map((f) => f.event));
      for (const [n, f] of fresh.entries()) results[f.index] = { duplicate: false, woke: delivered[n]!.woke };
      return results;
    });
  }

  getIngested(source: string, id: string): Promise<IngestedEvent | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM ingested_events WHERE source = ? AND id = ?').get(source, id) as
        | Row
        | undefined;
      return row ? toIngested(row) : undefined;
    });
  }

  // ---------------------------------------------------------------- quarantine

  quarantine(entries: QuarantineInput[]): Promise<QuarantineRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.s.write(() => {
      const insert = this.q(
        `INSERT INTO quarantine (id, origin, reason, issues, payload, type, event_id, source, received_at, published_by,
           status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', '[]')`,
      );
      return entries.map((e) => {
        const id = newId(e.receivedAt);
        insert.run(
          id,
          e.origin,
          e.reason,
          JSON.stringify(e.issues),
          json(e.payload),
          e.type ?? null,
          e.eventId ?? null,
          e.source ?? null,
          e.receivedAt,
          e.publishedBy ?? null,
        );
        return this.mustQuarantined(id);
      });
    });
  }

  getQuarantined(id: string): Promise<QuarantineRecord | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM quarantine WHERE id = ?').get(id) as Row | undefined;
      return row ? toQuarantined(row) : undefined;
    });
  }

  listQuarantined(query: QuarantineQuery): Promise<QuarantineRecord[]> {
    return this.s.read(() => {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: pageLimit(query.limit) };
      for (const [k, column] of [
        ['status', 'status'],
        ['type', 'type'],
        ['origin', 'origin'],
      ] as const) {
        if (query[k] === undefined) continue;
        where.push(`${column} = @${k}`);
        params[k] = query[k];
      }
      if (query.before !== undefined) {
        where.push('id < @before');
        params.before = query.before;
      }
      const sql = `SELECT * FROM quarantine ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return (this.q(sql).all(params) as Row[]).map(toQuarantined);
    });
  }

  correctQuarantined(id: string, payload: unknown, by: string, at: number): Promise<QuarantineRecord> {
    return this.s.write(() => {
      this.mustHold(id, 'corrected');
      this.q('UPDATE quarantine SET payload = ?, corrected_at = ?, corrected_by = ? WHERE id = ?').run(
        json(payload),
        at,
        by,
        id,
      );
      return this.mustQuarantined(id);
    });
  }

  recordReplay(
    id: string,
    attempt: { at: number; by: string; ok: boolean; reason?: string },
  ): Promise<QuarantineRecord> {
    return this.s.write(() => {
      const held = this.mustHold(id, 'replayed');
      const attempts = JSON.stringify([...held.attempts, attempt]);
      if (attempt.ok) {
        this.q(
          "UPDATE quarantine SET attempts = ?, status = 'replayed', resolved_at = ?, resolved_by = ? WHERE id = ?",
        ).run(attempts, attempt.at, attempt.by, id);
      } else {
        this.q('UPDATE quarantine SET attempts = ? WHERE id = ?').run(attempts, id);
      }
      return this.mustQuarantined(id);
    });
  }

  discardQuarantined(id: string, by: string, at: number): Promise<QuarantineRecord> {
    return this.s.write(() => {
      this.mustHold(id, 'discarded');
      this.q("UPDATE quarantine SET status = 'discarded', resolved_at = ?, resolved_by = ? WHERE id = ?").run(
        at,
        by,
        id,
      );
      return this.mustQuarantined(id);
    });
  }

  private mustQuarantined(id: string): QuarantineRecord {
    const row = this.q('SELECT * FROM quarantine WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new NotFoundError('quarantine entry', id);
    return toQuarantined(row);
  }

  /** The entry, which must still be held: replayed and discarded entries are closed. */
  private mustHold(id: string, verb: string): QuarantineRecord {
    const entry = this.mustQuarantined(id);
    if (entry.status !== 'held') {
      throw new ConflictError(`quarantine entry ${id} is ${entry.status}; only held entries can be ${verb}`, {
        status: entry.status,
      });
    }
    return entry;
  }

  // ---------------------------------------------------------------- idempotency keys

  getIdempotent(principal: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT * FROM idempotency_keys WHERE principal = ? AND key = ?').get(
        principal,
        key,
      ) as Row | undefined;
      return row ? toIdempotent(row) : undefined;
    });
  }

  putIdempotent(record: IdempotencyRecord): Promise<boolean> {
    return this.s.write(
      () =>
        this.q(
          `INSERT INTO idempotency_keys (principal, key, request_hash, status, headers, body, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (principal, key) DO NOTHING`,
        ).run(
          record.principal,
          record.key,
          record.requestHash,
          record.status,
          JSON.stringify(record.headers),
          json(record.body),
          record.createdAt,
        ).changes > 0,
    );
  }

  pruneIdempotent(before: number): Promise<number> {
    return this.s.write(
      () => this.q('DELETE FROM idempotency_keys WHERE created_at < ?').run(before).changes,
    );
  }
}

/** The engine inbox's copy of an ingested event, under its own inbox id. */
function inboxEvent(inboxId: string, e: IngestedEvent): InboundEvent {
  const event: InboundEvent = {
    id: inboxId,
    type: e.type,
    source: e.source,
    data: e.data,
    receivedAt: e.receivedAt,
  };
  if (e.subject !== undefined) event.subject = e.subject;
  return event;
}
