/**
 * What rule governance keeps. Glossary:
 *
 * - **rule set**: one DMN `definitions` element (its id, for example `order_fulfilment`) holding
 *   decision tables. Its published versions 1, 2, 3, … are immutable and stored whole.
 * - **draft**: a proposed change, either a whole new version of a set (`kind: 'set'`) or a regional
 *   override of one decision (`kind: 'override'`). It names the version it was made against
 *   (`baseVersion`) and stays `open` until someone other than its author approves or rejects it.
 * - **override**: a region's exception table for one decision of a set, versioned per
 *   (decision, region); a version without a table withdraws the exception.
 *
 * The store holds the content as JSON values and knows nothing of DMN: the rules module above checks
 * tables, computes diffs and decides what to write. The store guarantees the invariants that must
 * hold under concurrency: a publication lands only on the base version it was checked against, an
 * author never approves their own draft, and each change is audited in the same transaction.
 */
import type { AuditInput } from './governance.js';

export interface RuleSetRecord {
  id: string;
  name: string;
  /** The newest published version (1, 2, 3, …). */
  latestVersion: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

export interface RuleVersionRecord {
  setId: string;
  version: number;
  /** The whole definitions, as the rules module's JSON model. */
  definitions: Record<string, unknown>;
  /** The same definitions as DMN 1.3 XML. */
  dmnXml: string;
  author: string;
  approvedBy: string;
  comment?: string;
  draftId?: string;
  publishedAt: number;
}

export type RuleDraftKind = 'set' | 'override';
export type RuleDraftStatus = 'open' | 'approved' | 'rejected';

export interface RuleDraftRecord {
  id: string;
  kind: RuleDraftKind;
  setId: string;
  /** For overrides: the decision overridden and the region it applies to. */
  decisionId?: string;
  region?: string;
  /**
   * The version the draft was made against: the set's latest version (0 for a new set), or for an
   * override the latest override version of its decision and region (0 for none).
   */
  baseVersion: number;
  /** A set draft: the whole definitions. An override draft: the table, or null to withdraw it. */
  content: unknown;
  /** A set draft as DMN 1.3 XML. */
  dmnXml?: string;
  author: string;
  comment?: string;
  status: RuleDraftStatus;
  proposedAt: number;
  reviewedBy?: string;
  reviewedAt?: number;
  /** The approver's note, or the reason for a rejection. */
  reviewComment?: string;
  /** The set version (or override version) an approval published. */
  publishedVersion?: number;
}

export interface RuleDraftQuery {
  setId?: string;
  status?: RuleDraftStatus;
  kind?: RuleDraftKind;
  region?: string;
  /** Default 100. */
  limit?: number;
}

export interface RuleOverrideRecord {
  setId: string;
  decisionId: string;
  region: string;
  /** 1, 2, 3, … per decision and region. */
  version: number;
  /** The set version the override was checked against when it was approved. */
  setVersion: number;
  /** The exception table; absent when this version withdrew the override. */
  table?: Record<string, unknown>;
  author: string;
  approvedBy: string;
  comment?: string;
  draftId: string;
  approvedAt: number;
}

export interface SeedRuleSet {
  set: { id: string; name: string };
  version: Omit<RuleVersionRecord, 'setId' | 'version' | 'draftId'>;
  /** The decision ids the version holds. */
  decisions: string[];
  audit: AuditInput[];
}

export interface PublishRuleDraft {
  draftId: string;
  /** The set the caller checked the draft against; the draft must belong to it. */
  setId: string;
  setName: string;
  by: string;
  at: number;
  comment?: string;
  /** The decision ids the new version holds. */
  decisions: string[];
  /**
   * Decisions whose columns the draft changes or which it removes: the publication is refused while
   * any of them has an active regional override (withdraw or replace the override first).
   */
  guardDecisions: string[];
  /** Appended to the audit chain in the same transaction. */
  audit: AuditInput[];
}

export interface ApproveOverrideDraft {
  draftId: string;
  setId: string;
  by: string;
  at: number;
  comment?: string;
  /** The set version the override was checked against: refused when another version landed since. */
  setVersion: number;
  audit: AuditInput[];
}

export interface RejectRuleDraft {
  draftId: string;
  by: string;
  at: number;
  reason: string;
  audit: AuditInput[];
}

/**
 * Rule-set persistence. Every write is atomic with its audit records; a write against a version that
 * moved meanwhile, a review of a draft that is no longer open, or an approval by the draft's author is
 * refused with `ConflictError`.
 */
export interface RuleStore {
  listRuleSets(): Promise<RuleSetRecord[]>;
  getRuleSet(id: string): Promise<RuleSetRecord | undefined>;
  /** The given version, or the latest when `version` is absent. */
  getRuleVersion(setId: string, version?: number): Promise<RuleVersionRecord | undefined>;
  listRuleVersions(setId: string): Promise<RuleVersionRecord[]>;
  /** The set whose latest version holds this decision. */
  ruleSetOf(decisionId: string): Promise<string | undefined>;
  /** Publishes version 1 of a set that does not exist yet; false (and nothing written) when it does. */
  seedRuleSet(input: SeedRuleSet): Promise<boolean>;

  /** Keeps a new open draft; `audit` is appended in the same transaction. */
  addRuleDraft(draft: RuleDraftRecord, audit: AuditInput[]): Promise<RuleDraftRecord>;
  getRuleDraft(id: string): Promise<RuleDraftRecord | undefined>;
  /** Newest first. */
  listRuleDrafts(query: RuleDraftQuery): Promise<RuleDraftRecord[]>;
  /** Approves a set draft: its content becomes version `baseVersion + 1` of the set. */
  publishRuleDraft(input: PublishRuleDraft): Promise<{ draft: RuleDraftRecord; version: RuleVersionRecord }>;
  /** Approves an override draft: it becomes the next override version of its decision and region. */
  approveOverrideDraft(
    input: ApproveOverrideDraft,
  ): Promise<{ draft: RuleDraftRecord; override: RuleOverrideRecord }>;
  rejectRuleDraft(input: RejectRuleDraft): Promise<RuleDraftRecord>;

  /** The latest version of a decision's override for a region (possibly a withdrawal), or the given one. */
  getRuleOverride(
    decisionId: string,
    region: string,
    version?: number,
  ): Promise<RuleOverrideRecord | undefined>;
  /** The latest version of every override, withdrawn ones included, by decision then region. */
  listRuleOverrides(query: {
    setId?: string;
    decisionId?: string;
    region?: string;
  }): Promise<RuleOverrideRecord[]>;
  /** Every version of one decision's override for a region, oldest first. */
  listRuleOverrideVersions(decisionId: string, region: string): Promise<RuleOverrideRecord[]>;
}
