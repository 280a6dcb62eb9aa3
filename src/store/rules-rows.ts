import { ConflictError } from '../core/index.js';
import { compact, opt } from './row-values.js';
import type { RuleDraftRecord, RuleOverrideRecord, RuleSetRecord, RuleVersionRecord } from './rules.js';

/**
 * Rule-governance rows as both drivers return them (numbers as numbers, JSON columns as text) and
 * their mapping to records, plus the checks both stores make inside their write transactions.
 */
type Row = Record<string, unknown>;

export function toRuleSet(r: Row): RuleSetRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    latestVersion: r.latest_version as number,
    createdAt: r.created_at as number,
    createdBy: r.created_by as string,
    updatedAt: r.updated_at as number,
  };
}

export function toRuleVersion(r: Row): RuleVersionRecord {
  return compact({
    setId: r.set_id as string,
    version: r.version as number,
    definitions: JSON.parse(r.definitions as string) as Record<string, unknown>,
    dmnXml: r.dmn_xml as string,
    author: r.author as string,
    approvedBy: r.approved_by as string,
    comment: opt<string>(r.comment),
    draftId: opt<string>(r.draft_id),
    publishedAt: r.published_at as number,
  });
}

export function toRuleDraft(r: Row): RuleDraftRecord {
  return compact({
    id: r.id as string,
    kind: r.kind as RuleDraftRecord['kind'],
    setId: r.set_id as string,
    decisionId: opt<string>(r.decision_id),
    region: opt<string>(r.region),
    baseVersion: r.base_version as number,
    content: JSON.parse(r.content as string) as unknown,
    dmnXml: opt<string>(r.dmn_xml),
    author: r.author as string,
    comment: opt<string>(r.comment),
    status: r.status as RuleDraftRecord['status'],
    proposedAt: r.proposed_at as number,
    reviewedBy: opt<string>(r.reviewed_by),
    reviewedAt: opt<number>(r.reviewed_at),
    reviewComment: opt<string>(r.review_comment),
    publishedVersion: opt<number>(r.published_version),
  });
}

export function toRuleOverride(r: Row): RuleOverrideRecord {
  const table = r.table_json === null || r.table_json === undefined ? undefined : r.table_json;
  return compact({
    setId: r.set_id as string,
    decisionId: r.decision_id as string,
    region: r.region as string,
    version: r.version as number,
    setVersion: r.set_version as number,
    table: table === undefined ? undefined : (JSON.parse(table as string) as Record<string, unknown>),
    author: r.author as string,
    approvedBy: r.approved_by as string,
    comment: opt<string>(r.comment),
    draftId: r.draft_id as string,
    approvedAt: r.approved_at as number,
  });
}

/**
 * The checks every review makes on the draft row it locked: the draft is open, of the expected kind
 * and set, and (for an approval) not reviewed by its own author.
 */
export function checkReview(
  draft: RuleDraftRecord,
  review: { by: string; setId?: string; kind?: RuleDraftRecord['kind']; approving: boolean },
): void {
  if (draft.status !== 'open') {
    throw new ConflictError(
      `draft ${draft.id} was already ${draft.status}${draft.reviewedBy ? ` by ${draft.reviewedBy}` : ''}`,
      { draftId: draft.id, status: draft.status },
    );
  }
  if (review.kind !== undefined && draft.kind !== review.kind)
    throw new ConflictError(`draft ${draft.id} is a ${draft.kind} draft, not a ${review.kind} draft`);
  if (review.setId !== undefined && draft.setId !== review.setId)
    throw new ConflictError(`draft ${draft.id} belongs to rule set ${draft.setId}, not ${review.setId}`);
  if (review.approving && draft.author === review.by) throw selfApproval(draft);
}

/** Maker-checker: the refusal of an approval by the draft's own author. */
export function selfApproval(draft: { id: string; author: string }): ConflictError {
  return new ConflictError(
    `maker-checker: ${draft.author} proposed draft ${draft.id} and cannot approve it; another person with the rules approver permission must review it`,
    { draftId: draft.id, author: draft.author, reason: 'self-approval' },
  );
}

/** The refusal of a publication whose base version is no longer the latest. */
export function staleDraft(draft: RuleDraftRecord, latest: number, what: string): ConflictError {
  return new ConflictError(
    `draft ${draft.id} was made against version ${draft.baseVersion} of ${what}, which is now at version ${latest}: propose it again on the latest version`,
    { draftId: draft.id, baseVersion: draft.baseVersion, latestVersion: latest, reason: 'stale' },
  );
}
