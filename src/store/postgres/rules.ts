import { ConflictError, NotFoundError } from '../../core/index.js';
import type { AuditInput } from '../governance.js';
import { pageLimit } from '../paging.js';
import type {
  ApproveOverrideDraft,
  PublishRuleDraft,
  RejectRuleDraft,
  RuleDraftQuery,
  RuleDraftRecord,
  RuleOverrideRecord,
  RuleSetRecord,
  RuleStore,
  RuleVersionRecord,
  SeedRuleSet,
} from '../rules.js';
import {
  checkReview,
  staleDraft,
  toRuleDraft,
  toRuleOverride,
  toRuleSet,
  toRuleVersion,
} from '../rules-rows.js';
import { appendAuditIn, auditChainLock } from './governance.js';
import { paramList } from './params.js';
import { json } from './rows.js';
import type { AdvisoryLock, Session, Tx } from './transaction.js';

/** What the rule records borrow from the store they live in. */
export interface PostgresRulesParts {
  schema: string;
  /** Runs `op` in the store's next group-committed transaction, which first takes `locks`. */
  write<T>(op: (tx: Tx) => Promise<T>, locks?: AdvisoryLock[]): Promise<T>;
  read<T>(op: (s: Session) => Promise<T>): Promise<T>;
}

const LATEST_OVERRIDE = `SELECT o.* FROM rule_overrides o
  WHERE o.version = (SELECT max(version) FROM rule_overrides x WHERE x.decision_id = o.decision_id AND x.region = o.region)`;

/**
 * Rule governance on PostgreSQL, shared by every process on the database. A publication takes an
 * advisory lock on its rule set (and on each decision id it claims) before it reads the latest
 * version, so of two approvals on the same base exactly one lands and the other is refused as stale;
 * it also takes the audit chain's lock, so its audit records commit in the same transaction.
 */
export class PostgresRules implements RuleStore {
  private readonly auditLock: AdvisoryLock;

  constructor(private readonly p: PostgresRulesParts) {
    this.auditLock = auditChainLock(p.schema);
  }

  private setLock(setId: string): AdvisoryLock {
    return { space: `${this.p.schema}.rule_sets`, key: setId };
  }

  private decisionLocks(ids: string[]): AdvisoryLock[] {
    return ids.map((key) => ({ space: `${this.p.schema}.rule_decisions`, key }));
  }

  // ---------------------------------------------------------------- sets and versions

  listRuleSets(): Promise<RuleSetRecord[]> {
    return this.p.read(async (s) => (await s.rows('SELECT * FROM rule_sets ORDER BY id')).map(toRuleSet));
  }

  getRuleSet(id: string): Promise<RuleSetRecord | undefined> {
    return this.p.read((s) => this.set(s, id));
  }

  private async set(s: Session, id: string): Promise<RuleSetRecord | undefined> {
    const row = await s.one('SELECT * FROM rule_sets WHERE id = $1', [id]);
    return row ? toRuleSet(row) : undefined;
  }

  getRuleVersion(setId: string, version?: number): Promise<RuleVersionRecord | undefined> {
    return this.p.read(async (s) => {
      const row =
        version === undefined
          ? await s.one('SELECT * FROM rule_versions WHERE set_id = $1 ORDER BY version DESC LIMIT 1', [
              setId,
            ])
          : await s.one('SELECT * FROM rule_versions WHERE set_id = $1 AND version = $2', [setId, version]);
      return row ? toRuleVersion(row) : undefined;
    });
  }

  listRuleVersions(setId: string): Promise<RuleVersionRecord[]> {
    return this.p.read(async (s) =>
      (await s.rows('SELECT * FROM rule_versions WHERE set_id = $1 ORDER BY version', [setId])).map(
        toRuleVersion,
      ),
    );
  }

  ruleSetOf(decisionId: string): Promise<string | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one('SELECT set_id FROM rule_decisions WHERE decision_id = $1', [decisionId]);
      return row?.set_id as string | undefined;
    });
  }

  seedRuleSet(input: SeedRuleSet): Promise<boolean> {
    return this.p.write(
      async (tx) => {
        if (await this.set(tx, input.set.id)) return false;
        const v = input.version;
        await tx.run(
          `INSERT INTO rule_sets (id, name, latest_version, created_at, created_by, updated_at)
           VALUES ($1, $2, 1, $3, $4, $3)`,
          [input.set.id, input.set.name, v.publishedAt, v.approvedBy],
        );
        await this.insertVersion(tx, { ...v, setId: input.set.id, version: 1 });
        await this.indexDecisions(tx, input.set.id, input.decisions);
        await appendAuditIn(tx, input.audit);
        return true;
      },
      [this.setLock(input.set.id), ...this.decisionLocks(input.decisions), this.auditLock],
    );
  }

  private async insertVersion(tx: Tx, v: RuleVersionRecord): Promise<void> {
    await tx.run(
      `INSERT INTO rule_versions (set_id, version, definitions, dmn_xml, author, approved_by, comment, draft_id,
         published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        v.setId,
        v.version,
        JSON.stringify(v.definitions),
        v.dmnXml,
        v.author,
        v.approvedBy,
        v.comment ?? null,
        v.draftId ?? null,
        v.publishedAt,
      ],
    );
  }

  /** Points each decision at `setId`; a decision another set holds is refused. */
  private async indexDecisions(tx: Tx, setId: string, decisions: string[]): Promise<void> {
    const owners = await tx.rows(
      'SELECT decision_id, set_id FROM rule_decisions WHERE decision_id = ANY($1::text[]) AND set_id <> $2',
      [decisions, setId],
    );
    const first = owners[0];
    if (first)
      throw new ConflictError(
        `decision "${first.decision_id as string}" belongs to rule set ${first.set_id as string}`,
        {
          decisionId: first.decision_id,
          setId: first.set_id,
        },
      );
    await tx.run('DELETE FROM rule_decisions WHERE set_id = $1', [setId]);
    await tx.run(
      'INSERT INTO rule_decisions (decision_id, set_id) SELECT d, $2 FROM unnest($1::text[]) AS d',
      [decisions, setId],
    );
  }

  // ---------------------------------------------------------------- drafts

  addRuleDraft(d: RuleDraftRecord, audit: AuditInput[]): Promise<RuleDraftRecord> {
    return this.p.write(
      async (tx) => {
        const row = await tx.one(
          `INSERT INTO rule_drafts (id, kind, set_id, decision_id, region, base_version, content, dmn_xml, author,
           comment, status, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11)
         RETURNING *`,
          [
            d.id,
            d.kind,
            d.setId,
            d.decisionId ?? null,
            d.region ?? null,
            d.baseVersion,
            JSON.stringify(d.content ?? null),
            d.dmnXml ?? null,
            d.author,
            d.comment ?? null,
            d.proposedAt,
          ],
        );
        await appendAuditIn(tx, audit);
        return toRuleDraft(row!);
      },
      [this.auditLock],
    );
  }

  getRuleDraft(id: string): Promise<RuleDraftRecord | undefined> {
    return this.p.read(async (s) => {
      const row = await s.one('SELECT * FROM rule_drafts WHERE id = $1', [id]);
      return row ? toRuleDraft(row) : undefined;
    });
  }

  /** The draft's row, locked until COMMIT so two reviews of one draft take turns. */
  private async lockDraft(tx: Tx, id: string): Promise<RuleDraftRecord> {
    const row = await tx.one('SELECT * FROM rule_drafts WHERE id = $1 FOR UPDATE', [id]);
    if (!row) throw new NotFoundError('rule draft', id);
    return toRuleDraft(row);
  }

  listRuleDrafts(query: RuleDraftQuery): Promise<RuleDraftRecord[]> {
    return this.p.read(async (s) => {
      const { values: params, add: param } = paramList();
      const where: string[] = [];
      if (query.setId !== undefined) where.push(`set_id = ${param(query.setId)}`);
      if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
      if (query.kind !== undefined) where.push(`kind = ${param(query.kind)}`);
      if (query.region !== undefined) where.push(`region = ${param(query.region)}`);
      const limit = param(pageLimit(query.limit));
      const sql = `SELECT * FROM rule_drafts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
      return (await s.adHoc(sql, params)).map(toRuleDraft);
    });
  }

  publishRuleDraft(input: PublishRuleDraft): Promise<{ draft: RuleDraftRecord; version: RuleVersionRecord }> {
    return this.p.write(
      async (tx) => {
        const draft = await this.lockDraft(tx, input.draftId);
        checkReview(draft, { by: input.by, setId: input.setId, kind: 'set', approving: true });
        const latest = (await this.set(tx, input.setId))?.latestVersion ?? 0;
        if (latest !== draft.baseVersion) throw staleDraft(draft, latest, `rule set ${input.setId}`);
        const held = await this.activeOverrides(tx, input.guardDecisions);
        if (held.length > 0) {
          throw new ConflictError(
            `the draft changes the columns of, or removes, decisions with active regional overrides (${held.join(', ')}): withdraw those overrides first`,
            { draftId: draft.id, overrides: held },
          );
        }
        const version = latest + 1;
        if (latest === 0) {
          await tx.run(
            `INSERT INTO rule_sets (id, name, latest_version, created_at, created_by, updated_at)
             VALUES ($1, $2, 1, $3, $4, $3)`,
            [input.setId, input.setName, input.at, draft.author],
          );
        } else {
          await tx.run('UPDATE rule_sets SET latest_version = $1, name = $2, updated_at = $3 WHERE id = $4', [
            version,
            input.setName,
            input.at,
            input.setId,
          ]);
        }
        const record: RuleVersionRecord = {
          setId: input.setId,
          version,
          definitions: draft.content as Record<string, unknown>,
          dmnXml: draft.dmnXml ?? '',
          author: draft.author,
          approvedBy: input.by,
          draftId: draft.id,
          publishedAt: input.at,
        };
        if (input.comment !== undefined) record.comment = input.comment;
        await this.insertVersion(tx, record);
        await this.indexDecisions(tx, input.setId, input.decisions);
        const reviewed = await this.review(
          tx,
          draft.id,
          'approved',
          input.by,
          input.at,
          input.comment,
          version,
        );
        await appendAuditIn(tx, input.audit);
        return { draft: reviewed, version: record };
      },
      [this.setLock(input.setId), ...this.decisionLocks(input.decisions), this.auditLock],
    );
  }

  /** `decision@region` of each active override among these decisions. */
  private async activeOverrides(tx: Tx, decisions: string[]): Promise<string[]> {
    if (decisions.length === 0) return [];
    const rows = await tx.rows(
      `${LATEST_OVERRIDE} AND o.table_json IS NOT NULL AND o.decision_id = ANY($1::text[])
       ORDER BY o.decision_id, o.region`,
      [decisions],
    );
    return rows.map((r) => `${r.decision_id as string}@${r.region as string}`);
  }

  private async review(
    tx: Tx,
    id: string,
    status: 'approved' | 'rejected',
    by: string,
    at: number,
    comment: string | undefined,
    published?: number,
  ): Promise<RuleDraftRecord> {
    const row = await tx.one(
      `UPDATE rule_drafts SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4,
         published_version = $5 WHERE id = $6 RETURNING *`,
      [status, by, at, comment ?? null, published ?? null, id],
    );
    return toRuleDraft(row!);
  }

  approveOverrideDraft(
    input: ApproveOverrideDraft,
  ): Promise<{ draft: RuleDraftRecord; override: RuleOverrideRecord }> {
    return this.p.write(
      async (tx) => {
        const draft = await this.lockDraft(tx, input.draftId);
        checkReview(draft, { by: input.by, setId: input.setId, kind: 'override', approving: true });
        const decisionId = draft.decisionId!;
        const region = draft.region!;
        const setLatest = (await this.set(tx, input.setId))?.latestVersion ?? 0;
        if (setLatest !== input.setVersion)
          throw new ConflictError(
            `rule set ${input.setId} moved to version ${setLatest} while the override was checked against version ${input.setVersion}; approve again`,
            { draftId: draft.id, setVersion: input.setVersion, latestVersion: setLatest, reason: 'stale' },
          );
        const head = await tx.one(
          'SELECT coalesce(max(version), 0) AS v FROM rule_overrides WHERE decision_id = $1 AND region = $2',
          [decisionId, region],
        );
        const latest = Number(head?.v ?? 0);
        if (latest !== draft.baseVersion)
          throw staleDraft(draft, latest, `the ${region} override of ${decisionId}`);
        const row = await tx.one(
          `INSERT INTO rule_overrides (decision_id, region, version, set_id, set_version, table_json, author,
             approved_by, comment, draft_id, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING *`,
          [
            decisionId,
            region,
            latest + 1,
            input.setId,
            input.setVersion,
            draft.content === null ? null : json(draft.content),
            draft.author,
            input.by,
            input.comment ?? null,
            draft.id,
            input.at,
          ],
        );
        const reviewed = await this.review(
          tx,
          draft.id,
          'approved',
          input.by,
          input.at,
          input.comment,
          latest + 1,
        );
        await appendAuditIn(tx, input.audit);
        return { draft: reviewed, override: toRuleOverride(row!) };
      },
      // the set's lock: an override is checked against the set's latest version, which must not move
      [this.setLock(input.setId), this.auditLock],
    );
  }

  rejectRuleDraft(input: RejectRuleDraft): Promise<RuleDraftRecord> {
    return this.p.write(
      async (tx) => {
        const draft = await this.lockDraft(tx, input.draftId);
        checkReview(draft, { by: input.by, approving: false });
        const reviewed = await this.review(tx, draft.id, 'rejected', input.by, input.at, input.reason);
        await appendAuditIn(tx, input.audit);
        return reviewed;
      },
      [this.auditLock],
    );
  }

  // ---------------------------------------------------------------- overrides

  getRuleOverride(
    decisionId: string,
    region: string,
    version?: number,
  ): Promise<RuleOverrideRecord | undefined> {
    return this.p.read(async (s) => {
      const row =
        version === undefined
          ? await s.one(
              'SELECT * FROM rule_overrides WHERE decision_id = $1 AND region = $2 ORDER BY version DESC LIMIT 1',
              [decisionId, region],
            )
          : await s.one(
              'SELECT * FROM rule_overrides WHERE decision_id = $1 AND region = $2 AND version = $3',
              [decisionId, region, version],
            );
      return row ? toRuleOverride(row) : undefined;
    });
  }

  listRuleOverrides(query: {
    setId?: string;
    decisionId?: string;
    region?: string;
  }): Promise<RuleOverrideRecord[]> {
    return this.p.read(async (s) => {
      const params: unknown[] = [];
      const where: string[] = [];
      for (const [column, value] of [
        ['set_id', query.setId],
        ['decision_id', query.decisionId],
        ['region', query.region],
      ] as const) {
        if (value === undefined) continue;
        params.push(value);
        where.push(` AND o.${column} = $${params.length}`);
      }
      const sql = `${LATEST_OVERRIDE}${where.join('')} ORDER BY o.decision_id, o.region`;
      return (await s.adHoc(sql, params)).map(toRuleOverride);
    });
  }

  listRuleOverrideVersions(decisionId: string, region: string): Promise<RuleOverrideRecord[]> {
    return this.p.read(async (s) =>
      (
        await s.rows('SELECT * FROM rule_overrides WHERE decision_id = $1 AND region = $2 ORDER BY version', [
          decisionId,
          region,
        ])
      ).map(toRuleOverride),
    );
  }
}
