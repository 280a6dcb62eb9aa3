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
import type { SqliteDatabase, SqliteStatement } from './driver.js';
import { appendAuditIn } from './governance.js';
import { json } from './rows.js';

type Row = Record<string, unknown>;

/** What the rule records borrow from the store they live in. */
export interface SqliteRulesParts {
  db: SqliteDatabase;
  /** Runs `op` in the store's next group-committed transaction, beside the engine's writes. */
  write<T>(op: () => T): Promise<T>;
  read<T>(op: () => T): Promise<T>;
}

const LATEST_OVERRIDE = `SELECT o.* FROM rule_overrides o
  WHERE o.version = (SELECT max(version) FROM rule_overrides x WHERE x.decision_id = o.decision_id AND x.region = o.region)`;

/**
 * Rule governance on the embedded store. Each write is one operation of the group committer inside
 * `BEGIN IMMEDIATE`, so the version check, the publication and its audit records are serialised with
 * every other process writing the file and commit together.
 */
export class SqliteRules implements RuleStore {
  private readonly stmts = new Map<string, SqliteStatement>();

  constructor(private readonly s: SqliteRulesParts) {}

  private q(sql: string): SqliteStatement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.s.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  // ---------------------------------------------------------------- sets and versions

  listRuleSets(): Promise<RuleSetRecord[]> {
    return this.s.read(() => (this.q('SELECT * FROM rule_sets ORDER BY id').all() as Row[]).map(toRuleSet));
  }

  getRuleSet(id: string): Promise<RuleSetRecord | undefined> {
    return this.s.read(() => this.set(id));
  }

  private set(id: string): RuleSetRecord | undefined {
    const row = this.q('SELECT * FROM rule_sets WHERE id = ?').get(id) as Row | undefined;
    return row ? toRuleSet(row) : undefined;
  }

  getRuleVersion(setId: string, version?: number): Promise<RuleVersionRecord | undefined> {
    return this.s.read(() => {
      const row = (
        version === undefined
          ? this.q('SELECT * FROM rule_versions WHERE set_id = ? ORDER BY version DESC LIMIT 1').get(setId)
          : this.q('SELECT * FROM rule_versions WHERE set_id = ? AND version = ?').get(setId, version)
      ) as Row | undefined;
      return row ? toRuleVersion(row) : undefined;
    });
  }

  listRuleVersions(setId: string): Promise<RuleVersionRecord[]> {
    return this.s.read(() =>
      (this.q('SELECT * FROM rule_versions WHERE set_id = ? ORDER BY version').all(setId) as Row[]).map(
        toRuleVersion,
      ),
    );
  }

  ruleSetOf(decisionId: string): Promise<string | undefined> {
    return this.s.read(() => {
      const row = this.q('SELECT set_id FROM rule_decisions WHERE decision_id = ?').get(decisionId) as
        | Row
        | undefined;
      return row?.set_id as string | undefined;
    });
  }

  seedRuleSet(input: SeedRuleSet): Promise<boolean> {
    return this.s.write(() => {
      if (this.set(input.set.id)) return false;
      const v = input.version;
      this.q(
        `INSERT INTO rule_sets (id, name, latest_version, created_at, created_by, updated_at)
         VALUES (?, ?, 1, ?, ?, ?)`,
      ).run(input.set.id, input.set.name, v.publishedAt, v.approvedBy, v.publishedAt);
      this.insertVersion({ ...v, setId: input.set.id, version: 1 });
      this.indexDecisions(input.set.id, input.decisions);
      appendAuditIn((sql) => this.q(sql), input.audit);
      return true;
    });
  }

  private insertVersion(v: RuleVersionRecord): void {
    this.q(
      `INSERT INTO rule_versions (set_id, version, definitions, dmn_xml, author, approved_by, comment, draft_id,
         published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      v.setId,
      v.version,
      JSON.stringify(v.definitions),
      v.dmnXml,
      v.author,
      v.approvedBy,
      v.comment ?? null,
      v.draftId ?? null,
      v.publishedAt,
    );
  }

  /** Points each decision at `setId`; a decision another set holds is refused. */
  private indexDecisions(setId: string, decisions: string[]): void {
    for (const id of decisions) {
      const owner = this.q('SELECT set_id FROM rule_decisions WHERE decision_id = ?').get(id) as
        | Row
        | undefined;
      if (owner && owner.set_id !== setId)
        throw new ConflictError(`decision "${id}" belongs to rule set ${owner.set_id as string}`, {
          decisionId: id,
          setId: owner.set_id,
        });
    }
    this.q('DELETE FROM rule_decisions WHERE set_id = ?').run(setId);
    const insert = this.q('INSERT INTO rule_decisions (decision_id, set_id) VALUES (?, ?)');
    for (const id of decisions) insert.run(id, setId);
  }

  // ---------------------------------------------------------------- drafts

  addRuleDraft(d: RuleDraftRecord, audit: AuditInput[]): Promise<RuleDraftRecord> {
    return this.s.write(() => {
      this.q(
        `INSERT INTO rule_drafts (id, kind, set_id, decision_id, region, base_version, content, dmn_xml, author,
           comment, status, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      ).run(
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
      );
      appendAuditIn((sql) => this.q(sql), audit);
      return this.draft(d.id)!;
    });
  }

  getRuleDraft(id: string): Promise<RuleDraftRecord | undefined> {
    return this.s.read(() => this.draft(id));
  }

  private draft(id: string): RuleDraftRecord | undefined {
    const row = this.q('SELECT * FROM rule_drafts WHERE id = ?').get(id) as Row | undefined;
    return row ? toRuleDraft(row) : undefined;
  }

  private openDraft(id: string): RuleDraftRecord {
    const d = this.draft(id);
    if (!d) throw new NotFoundError('rule draft', id);
    return d;
  }

  listRuleDrafts(query: RuleDraftQuery): Promise<RuleDraftRecord[]> {
    return this.s.read(() => {
      const where = ['1 = 1'];
      if (query.setId !== undefined) where.push('set_id = @setId');
      if (query.status !== undefined) where.push('status = @status');
      if (query.kind !== undefined) where.push('kind = @kind');
      if (query.region !== undefined) where.push('region = @region');
      const sql = `SELECT * FROM rule_drafts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`;
      const params = {
        setId: query.setId,
        status: query.status,
        kind: query.kind,
        region: query.region,
        limit: pageLimit(query.limit),
      };
      return (this.q(sql).all(params) as Row[]).map(toRuleDraft);
    });
  }

  publishRuleDraft(input: PublishRuleDraft): Promise<{ draft: RuleDraftRecord; version: RuleVersionRecord }> {
    return this.s.write(() => {
      const draft = this.openDraft(input.draftId);
      checkReview(draft, { by: input.by, setId: input.setId, kind: 'set', approving: true });
      const latest = this.set(input.setId)?.latestVersion ?? 0;
      if (latest !== draft.baseVersion) throw staleDraft(draft, latest, `rule set ${input.setId}`);
      const held = this.activeOverrides(input.guardDecisions);
      if (held.length > 0) {
        throw new ConflictError(
          `the draft changes the columns of, or removes, decisions with active regional overrides (${held.join(', ')}): withdraw those overrides first`,
          { draftId: draft.id, overrides: held },
        );
      }
      const version = latest + 1;
      if (latest === 0) {
        this.q(
          `INSERT INTO rule_sets (id, name, latest_version, created_at, created_by, updated_at)
           VALUES (?, ?, 1, ?, ?, ?)`,
        ).run(input.setId, input.setName, input.at, draft.author, input.at);
      } else {
        this.q('UPDATE rule_sets SET latest_version = ?, name = ?, updated_at = ? WHERE id = ?').run(
          version,
          input.setName,
          input.at,
          input.setId,
        );
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
      this.insertVersion(record);
      this.indexDecisions(input.setId, input.decisions);
      this.review(draft.id, 'approved', input.by, input.at, input.comment, version);
      appendAuditIn((sql) => this.q(sql), input.audit);
      return { draft: this.draft(draft.id)!, version: record };
    });
  }

  /** `decision@region` of each active override among these decisions. */
  private activeOverrides(decisions: string[]): string[] {
    if (decisions.length === 0) return [];
    const rows = this.q(
      `${LATEST_OVERRIDE} AND o.table_json IS NOT NULL ORDER BY o.decision_id, o.region`,
    ).all() as Row[];
    return rows
      .filter((r) => decisions.includes(r.decision_id as string))
      .map((r) => `${r.decision_id as string}@${r.region as string}`);
  }

  private review(
    id: string,
    status: 'approved' | 'rejected',
    by: string,
    at: number,
    comment: string | undefined,
    published?: number,
  ): void {
    this.q(
      `UPDATE rule_drafts SET status = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?, published_version = ?
       WHERE id = ?`,
    ).run(status, by, at, comment ?? null, published ?? null, id);
  }

  approveOverrideDraft(
    input: ApproveOverrideDraft,
  ): Promise<{ draft: RuleDraftRecord; override: RuleOverrideRecord }> {
    return this.s.write(() => {
      const draft = this.openDraft(input.draftId);
      checkReview(draft, { by: input.by, setId: input.setId, kind: 'override', approving: true });
      const decisionId = draft.decisionId!;
      const region = draft.region!;
      const setLatest = this.set(input.setId)?.latestVersion ?? 0;
      if (setLatest !== input.setVersion)
        throw new ConflictError(
          `rule set ${input.setId} moved to version ${setLatest} while the override was checked against version ${input.setVersion}; approve again`,
          { draftId: draft.id, setVersion: input.setVersion, latestVersion: setLatest, reason: 'stale' },
        );
      const latest = (
        this.q(
          'SELECT coalesce(max(version), 0) AS v FROM rule_overrides WHERE decision_id = ? AND region = ?',
        ).get(decisionId, region) as Row
      ).v as number;
      if (latest !== draft.baseVersion)
        throw staleDraft(draft, latest, `the ${region} override of ${decisionId}`);
      const version = latest + 1;
      this.q(
        `INSERT INTO rule_overrides (decision_id, region, version, set_id, set_version, table_json, author,
           approved_by, comment, draft_id, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        decisionId,
        region,
        version,
        input.setId,
        input.setVersion,
        draft.content === null ? null : json(draft.content),
        draft.author,
        input.by,
        input.comment ?? null,
        draft.id,
        input.at,
      );
      this.review(draft.id, 'approved', input.by, input.at, input.comment, version);
      appendAuditIn((sql) => this.q(sql), input.audit);
      return { draft: this.draft(draft.id)!, override: this.override(decisionId, region, version)! };
    });
  }

  rejectRuleDraft(input: RejectRuleDraft): Promise<RuleDraftRecord> {
    return this.s.write(() => {
      const draft = this.openDraft(input.draftId);
      checkReview(draft, { by: input.by, approving: false });
      this.review(draft.id, 'rejected', input.by, input.at, input.reason);
      appendAuditIn((sql) => this.q(sql), input.audit);
      return this.draft(draft.id)!;
    });
  }

  // ---------------------------------------------------------------- overrides

  private override(decisionId: string, region: string, version?: number): RuleOverrideRecord | undefined {
    const row = (
      version === undefined
        ? this.q(
            'SELECT * FROM rule_overrides WHERE decision_id = ? AND region = ? ORDER BY version DESC LIMIT 1',
          ).get(decisionId, region)
        : this.q('SELECT * FROM rule_overrides WHERE decision_id = ? AND region = ? AND version = ?').get(
            decisionId,
            region,
            version,
          )
    ) as Row | undefined;
    return row ? toRuleOverride(row) : undefined;
  }

  getRuleOverride(
    decisionId: string,
    region: string,
    version?: number,
  ): Promise<RuleOverrideRecord | undefined> {
    return this.s.read(() => this.override(decisionId, region, version));
  }

  listRuleOverrides(query: {
    setId?: string;
    decisionId?: string;
    region?: string;
  }): Promise<RuleOverrideRecord[]> {
    return this.s.read(() => {
      const where: string[] = [];
      if (query.setId !== undefined) where.push('o.set_id = @setId');
      if (query.decisionId !== undefined) where.push('o.decision_id = @decisionId');
      if (query.region !== undefined) where.push('o.region = @region');
      const sql = `${LATEST_OVERRIDE}${where.map((w) => ` AND ${w}`).join('')} ORDER BY o.decision_id, o.region`;
      return (this.q(sql).all({ ...query }) as Row[]).map(toRuleOverride);
    });
  }

  listRuleOverrideVersions(decisionId: string, region: string): Promise<RuleOverrideRecord[]> {
    return this.s.read(() =>
      (
        this.q('SELECT * FROM rule_overrides WHERE decision_id = ? AND region = ? ORDER BY version').all(
          decisionId,
          region,
        ) as Row[]
      ).map(toRuleOverride),
    );
  }
}
