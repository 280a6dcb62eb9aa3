/**
 * Rule governance: rule sets are published in versions, every change is a draft that another person
 * approves (maker-checker), and regions may hold approved exceptions to single decisions.
 *
 * The maker-checker rule lives here and again in the store (and in the database's CHECK constraints):
 * an approval by the draft's author is refused whatever roles the caller holds, so no HTTP key, CLI
 * flag or admin role gets around it. Who may propose and approve at all is the caller's concern (the
 * API's roles). Every change is appended to the audit chain in the same transaction as the change.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Clock,
  ConflictError,
  NotFoundError,
  newId,
  systemClock,
  ValidationError,
} from '../core/index.js';
import {
  type AuditActor,
  auditEntry,
  type RuleDraftQuery,
  type RuleDraftRecord,
  type RuleOverrideRecord,
  type RuleSetRecord,
  type RuleVersionRecord,
  type Store,
} from '../store/index.js';
import { columnSignature, type DefinitionsDiff, diffDefinitions, formatDiff } from './diff.js';
import { toDmnXml } from './dmn-xml.js';
import { defaultRulesDir, readDmnFile } from './files.js';
import type { DecisionTable, Definitions } from './model.js';
import { assertValidDefinitions, assertValidTable } from './validate.js';

/** Region codes as people write them: `north`, `EU-DE`, `store_0042`. */
export const REGION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface RuleGovernanceOptions {
  store: Store;
  clock?: Clock;
}

/** A draft with what it would change, against the version an approval would replace. */
export interface DraftReview {
  draft: RuleDraftRecord;
  /** What the diff compares with. */
  against:
    | { kind: 'set'; version: number }
    | { kind: 'override'; version: number }
    | { kind: 'enterprise'; setVersion: number };
  /** True when the draft's base is no longer the latest: an approval would be refused. */
  stale: boolean;
  diff: DefinitionsDiff;
  text: string;
}

/** The table a decision uses, and where it came from. */
export interface ActiveTable {
  /** The table to evaluate; its `version` names the set version (and override) it comes from. */
  table: DecisionTable;
  setId: string;
  setVersion: number;
  region?: string;
  /** Set when the region's approved override is used. */
  overrideVersion?: number;
}

export type ApprovalResult =
  | { kind: 'set'; draft: RuleDraftRecord; version: RuleVersionRecord }
  | { kind: 'override'; draft: RuleDraftRecord; override: RuleOverrideRecord };

const asDefinitions = (v: unknown) => v as Definitions;
const asTable = (v: unknown) => v as DecisionTable;

/** The journalled version of a table: the set version, and the override version when one is used. */
export const governedVersion = (
  setId: string,
  setVersion: number,
  region?: string,
  overrideVersion?: number,
) =>
  `${setId}@${setVersion}${region !== undefined && overrideVersion !== undefined ? `/${region}@${overrideVersion}` : ''}`;

function checkRegion(region: string): void {
  if (!REGION_PATTERN.test(region))
    throw new ValidationError(
      `region "${region}" must be letters, digits, "-" or "_" (up to 64), for example north or EU-DE`,
      [{ path: '/region', message: 'not a region code' }],
    );
}

/** Rule sets, drafts, reviews and regional overrides over a store. */
export class RuleGovernance {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(options: RuleGovernanceOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
  }

  // ---------------------------------------------------------------- reading

  listSets(): Promise<RuleSetRecord[]> {
    return this.store.rules.listRuleSets();
  }

  async versions(setId: string): Promise<RuleVersionRecord[]> {
    const list = await this.store.rules.listRuleVersions(setId);
    if (list.length === 0) throw new NotFoundError('rule set', setId);
    return list;
  }

  /** A published version (the latest when `version` is absent). */
  async version(setId: string, version?: number): Promise<RuleVersionRecord & { model: Definitions }> {
    const v = await this.store.rules.getRuleVersion(setId, version);
    if (!v)
      throw new NotFoundError(
        version === undefined ? 'rule set' : 'rule set version',
        version === undefined ? setId : `${setId}@${version}`,
      );
    return { ...v, model: asDefinitions(v.definitions) };
  }

  drafts(query: RuleDraftQuery = {}): Promise<RuleDraftRecord[]> {
    return this.store.rules.listRuleDrafts(query);
  }

  async draft(id: string): Promise<RuleDraftRecord> {
    const d = await this.store.rules.getRuleDraft(id);
    if (!d) throw new NotFoundError('rule draft', id);
    return d;
  }

  /** The latest version of each override (withdrawn ones included, without a table). */
  overrides(
    query: { setId?: string; decisionId?: string; region?: string } = {},
  ): Promise<RuleOverrideRecord[]> {
    return this.store.rules.listRuleOverrides(query);
  }

  /** The set holding a decision, its latest version and the decision's enterprise table. */
  private async enterprise(
    decisionId: string,
  ): Promise<{ setId: string; version: RuleVersionRecord; table: DecisionTable }> {
    const setId = await this.store.rules.ruleSetOf(decisionId);
    const version = setId ? await this.store.rules.getRuleVersion(setId) : undefined;
    const table = version && asDefinitions(version.definitions).decisions.find((d) => d.id === decisionId);
    if (!setId || !version || !table) throw new NotFoundError('published decision', decisionId);
    return { setId, version, table };
  }

  /**
   * The table a decision evaluates with for `region`: the region's approved override when there is
   * one, else the enterprise table of the latest published version.
   */
  async active(decisionId: string, options: { region?: string } = {}): Promise<ActiveTable> {
    const { setId, version, table } = await this.enterprise(decisionId);
    const region = options.region;
    const override =
      region === undefined ? undefined : await this.store.rules.getRuleOverride(decisionId, region);
    if (region !== undefined && override?.table) {
      return {
        table: {
          ...asTable(override.table),
          version: governedVersion(setId, version.version, region, override.version),
        },
        setId,
        setVersion: version.version,
        region,
        overrideVersion: override.version,
      };
    }
    return {
      table: { ...table, version: governedVersion(setId, version.version) },
      setId,
      setVersion: version.version,
      ...(region !== undefined ? { region } : {}),
    };
  }

  // ---------------------------------------------------------------- seeding

  /**
   * Publishes each DMN file of `dir` (default: the shipped `rules/`) as version 1 of its set, unless
   * the set exists already: running it again changes nothing.
   */
  async seedDefaults(
    options: { dir?: string; by?: AuditActor } = {},
  ): Promise<Array<{ setId: string; seeded: boolean }>> {
    const dir = options.dir ?? defaultRulesDir;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.dmn')).sort();
    const out: Array<{ setId: string; seeded: boolean }> = [];
    for (const file of files) {
      const defs = await readDmnFile(join(dir, file));
      out.push({ setId: defs.id, seeded: await this.seed(defs, `file:${file}`, options.by) });
    }
    return out;
  }

  /** Publishes `defs` as version 1 of a new set authored by `source`; false when the set exists. */
  async seed(defs: Definitions, source: string, by: AuditActor = { name: 'system' }): Promise<boolean> {
    assertValidDefinitions(defs, source);
    const at = this.clock.now();
    return this.store.rules.seedRuleSet({
      set: { id: defs.id, name: defs.name },
      version: {
        definitions: defs as unknown as Record<string, unknown>,
        dmnXml: await toDmnXml(defs),
        author: source,
        approvedBy: by.name,
        comment: `seeded from ${source}`,
        publishedAt: at,
      },
      decisions: defs.decisions.map((d) => d.id),
      audit: [
        auditEntry(by, at, {
          action: 'rules.seeded',
          target: { kind: 'rule-set', id: `${defs.id}@1` },
          after: { version: 1, source, decisions: defs.decisions.map((d) => d.id) },
        }),
      ],
    });
  }

  // ---------------------------------------------------------------- proposing

  /** Proposes `defs` as the next version of its set (`defs.id`, or a new set). */
  async propose(defs: Definitions, by: AuditActor, options: { comment?: string } = {}): Promise<DraftReview> {
    assertValidDefinitions(defs, 'the proposed rule set');
    const setId = defs.id;
    const latest = await this.store.rules.getRuleVersion(setId);
    for (const d of defs.decisions) {
      const owner = await this.store.rules.ruleSetOf(d.id);
      if (owner && owner !== setId)
        throw new ConflictError(
          `decision "${d.id}" belongs to rule set ${owner}; a decision id is held by one set`,
          {
            decisionId: d.id,
            setId: owner,
          },
        );
    }
    const diff = diffDefinitions(latest && asDefinitions(latest.definitions), defs);
    if (!diff.changed)
      throw new ValidationError(
        `the proposed rule set ${setId} is the same as its version ${latest?.version}`,
        [{ path: '', message: 'no changes' }],
      );
    const at = this.clock.now();
    const draft: RuleDraftRecord = {
      id: newId(at),
      kind: 'set',
      setId,
      baseVersion: latest?.version ?? 0,
      content: defs,
      dmnXml: await toDmnXml(defs),
      author: by.name,
      status: 'open',
      proposedAt: at,
    };
    if (options.comment) draft.comment = options.comment;
    const stored = await this.store.rules.addRuleDraft(draft, [
      auditEntry(by, at, {
        action: 'rules.proposed',
        target: { kind: 'rule-draft', id: draft.id },
        after: { setId, baseVersion: draft.baseVersion, comment: options.comment, summary: summarise(diff) },
      }),
    ]);
    return this.review(stored);
  }

  /**
   * Proposes a regional exception to one published decision: `table` has the decision's inputs and
   * outputs with other rules, or is null to withdraw the region's override.
   */
  async proposeOverride(
    input: { decisionId: string; region: string; table: DecisionTable | null },
    by: AuditActor,
    options: { comment?: string } = {},
  ): Promise<DraftReview> {
    const { decisionId, region } = input;
    checkRegion(region);
    const { setId, table: enterprise } = await this.enterprise(decisionId);
    const current = await this.store.rules.getRuleOverride(decisionId, region);
    let content: DecisionTable | null = null;
    if (input.table) {
      const { version: _, ...rest } = input.table;
      content = { ...rest, id: decisionId };
      assertValidTable(content);
      if (columnSignature(content) !== columnSignature(enterprise))
        throw new ValidationError(
          `the ${region} override of ${decisionId} must keep the enterprise table's inputs and outputs (their expressions, types, names and allowed values); only the rules may differ`,
          [{ path: '/table', message: 'columns differ from the enterprise table' }],
        );
    } else if (!current?.table) {
      throw new ConflictError(`${decisionId} has no ${region} override to withdraw`);
    }
    const at = this.clock.now();
    const draft: RuleDraftRecord = {
      id: newId(at),
      kind: 'override',
      setId,
      decisionId,
      region,
      baseVersion: current?.version ?? 0,
      content,
      author: by.name,
      status: 'open',
      proposedAt: at,
    };
    if (options.comment) draft.comment = options.comment;
    const stored = await this.store.rules.addRuleDraft(draft, [
      auditEntry(by, at, {
        action: content ? 'rules.override.proposed' : 'rules.override.withdrawal-proposed',
        target: { kind: 'rule-draft', id: draft.id },
        after: { setId, decisionId, region, baseVersion: draft.baseVersion, comment: options.comment },
      }),
    ]);
    return this.review(stored);
  }

  // ---------------------------------------------------------------- reviewing

  /** A draft with its diff against what an approval would replace. */
  async review(draftOrId: string | RuleDraftRecord): Promise<DraftReview> {
    const draft = typeof draftOrId === 'string' ? await this.draft(draftOrId) : draftOrId;
    if (draft.kind === 'set') {
      const latest = await this.store.rules.getRuleVersion(draft.setId);
      const before = latest && asDefinitions(latest.definitions);
      const after = asDefinitions(draft.content);
      const diff = diffDefinitions(before, after);
      const version = latest?.version ?? 0;
      const stale = version !== draft.baseVersion;
      const heading = `rule set ${draft.setId}: draft ${draft.id} by ${draft.author} (${draft.status}) against ${version ? `version ${version}` : 'nothing published'}${stale ? `; STALE: made against version ${draft.baseVersion}` : ''}`;
      return {
        draft,
        against: { kind: 'set', version },
        stale,
        diff,
        text: formatDiff(diff, heading, { ...(before ? { before } : {}), after }),
      };
    }
    const decisionId = draft.decisionId!;
    const region = draft.region!;
    const current = await this.store.rules.getRuleOverride(decisionId, region);
    const { version, table: enterprise } = await this.enterprise(decisionId);
    const base = current?.table ? asTable(current.table) : enterprise;
    const against: DraftReview['against'] = current?.table
      ? { kind: 'override', version: current.version }
      : { kind: 'enterprise', setVersion: version.version };
    const proposed = draft.content === null ? enterprise : asTable(draft.content);
    const diff = diffDefinitions(
      { id: '', name: '', namespace: '', decisions: [base] },
      {
        id: '',
        name: '',
        namespace: '',
        decisions: [proposed],
      },
    );
    const stale = (current?.version ?? 0) !== draft.baseVersion;
    const what =
      draft.content === null ? 'withdraws the override (back to the enterprise table)' : 'overrides';
    const heading = `override of ${decisionId} for region ${region}: draft ${draft.id} by ${draft.author} (${draft.status}) ${what}, against ${against.kind === 'override' ? `override version ${against.version}` : `the enterprise table of ${draft.setId}@${version.version}`}${stale ? `; STALE: made against override version ${draft.baseVersion}` : ''}`;
    return {
      draft,
      against,
      stale,
      diff,
      text: formatDiff(diff, heading, { before: [base], after: [proposed] }),
    };
  }

  /**
   * Approves a draft: a set draft becomes the set's next version, an override draft the region's
   * next override version. Refused when `by` is the draft's author (maker-checker), when the draft is
   * not open, and when its base version is no longer the latest (the author proposes it again).
   */
  async approve(
    draftId: string,
    by: AuditActor,
    options: { comment?: string } = {},
  ): Promise<ApprovalResult> {
    const draft = await this.draft(draftId);
    if (draft.author === by.name)
      throw new ConflictError(
        `maker-checker: ${draft.author} proposed draft ${draft.id} and cannot approve it, whatever roles they hold; another person with the rules approver permission must review it`,
        { draftId: draft.id, author: draft.author, reason: 'self-approval' },
      );
    const at = this.clock.now();
    if (draft.kind === 'set') {
      const defs = asDefinitions(draft.content);
      const latest = await this.store.rules.getRuleVersion(draft.setId);
      const before = latest ? asDefinitions(latest.definitions) : undefined;
      const diff = diffDefinitions(before, defs);
      const version = draft.baseVersion + 1;
      const result = await this.store.rules.publishRuleDraft({
        draftId,
        setId: draft.setId,
        setName: defs.name,
        by: by.name,
        at,
        ...(options.comment ? { comment: options.comment } : {}),
        decisions: defs.decisions.map((d) => d.id),
        guardDecisions: diff.tables.filter((t) => t.signatureChanged).map((t) => t.decisionId),
        audit: [
          auditEntry(by, at, {
            action: 'rules.published',
            target: { kind: 'rule-set', id: `${draft.setId}@${version}` },
            before: { version: draft.baseVersion },
            after: { version, draftId, author: draft.author, approvedBy: by.name, summary: summarise(diff) },
          }),
        ],
      });
      return { kind: 'set', ...result };
    }
    const decisionId = draft.decisionId!;
    const region = draft.region!;
    const { version, table: enterprise } = await this.enterprise(decisionId);
    if (draft.content !== null && columnSignature(asTable(draft.content)) !== columnSignature(enterprise))
      throw new ConflictError(
        `the enterprise table of ${decisionId} changed its columns since the ${region} override was proposed; propose the override again`,
        { draftId, reason: 'stale' },
      );
    const result = await this.store.rules.approveOverrideDraft({
      draftId,
      setId: draft.setId,
      by: by.name,
      at,
      ...(options.comment ? { comment: options.comment } : {}),
      setVersion: version.version,
      audit: [
        auditEntry(by, at, {
          action: draft.content === null ? 'rules.override.withdrawn' : 'rules.override.approved',
          target: { kind: 'rule-override', id: `${decisionId}@${region}` },
          before: { version: draft.baseVersion },
          after: {
            version: draft.baseVersion + 1,
            draftId,
            author: draft.author,
            approvedBy: by.name,
            setVersion: version.version,
          },
        }),
      ],
    });
    return { kind: 'override', ...result };
  }

  /** Rejects an open draft; nothing is published. Its author may withdraw it this way too. */
  async reject(draftId: string, by: AuditActor, reason: string): Promise<RuleDraftRecord> {
    if (!reason.trim())
      throw new ValidationError('a rejection needs a reason', [{ path: '/reason', message: 'empty' }]);
    const at = this.clock.now();
    return this.store.rules.rejectRuleDraft({
      draftId,
      by: by.name,
      at,
      reason,
      audit: [
        auditEntry(by, at, {
          action: 'rules.rejected',
          target: { kind: 'rule-draft', id: draftId },
          after: { status: 'rejected', reason },
        }),
      ],
    });
  }
}

/** Per changed decision, counts of what changed: compact enough for an audit record. */
function summarise(diff: DefinitionsDiff): Array<Record<string, unknown>> {
  return diff.tables.map((t) => ({
    decision: t.decisionId,
    change: t.change,
    added: t.rules.added.map((r) => r.id),
    removed: t.rules.removed.map((r) => r.id),
    changed: t.rules.changed.map((r) => r.ruleId),
    ...(t.hitPolicy ? { hitPolicy: t.hitPolicy } : {}),
    ...(t.columns.length ? { columns: t.columns.map((c) => `${c.change} ${c.kind} ${c.id}`) } : {}),
  }));
}

/**
 * The table a workflow decides with: the active table of `decisionId` for `region`, with its
 * `version` naming the published set version (and override) it comes from, ready for
 * `decisionFor`. Reading it is I/O, so in a workflow load it inside a step, whose result the journal
 * keeps, then decide with it:
 *
 * ```ts
 * const table = await ctx.step('rules', () => activeDecision(store, 'transfer-approval', { region }));
 * const outcome = await ctx.decide(decisionFor(table), facts);
 * ```
 */
export async function activeDecision(
  store: Store,
  decisionId: string,
  options: { region?: string } = {},
): Promise<DecisionTable> {
  return (await new RuleGovernance({ store }).active(decisionId, options)).table;
}
