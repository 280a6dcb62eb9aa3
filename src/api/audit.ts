import type { AuditActor, AuditRecord, GovernanceStore } from '../store/index.js';
import { auditEntry, auditHash } from '../store/index.js';

/** Who made a change and under which request: the actor of every audit record. */
export type Actor = AuditActor;

/** Appends one audit record for a change `actor` made to `target`. */
export async function recordChange(
  governance: GovernanceStore,
  actor: Actor,
  at: number,
  change: { action: string; target: { kind: string; id: string }; before?: unknown; after?: unknown },
): Promise<AuditRecord> {
  const [written] = await governance.appendAudit([auditEntry(actor, at, change)]);
  return written!;
}

export interface ChainReport {
  ok: boolean;
  /** Records checked (up to and including the broken one). */
  checked: number;
  /** The first record whose link does not hold. */
  brokenAt?: number;
  reason?: string;
  /** Hash of the last intact record: note it somewhere else to detect a rewrite of the whole tail. */
  lastHash: string;
}

/**
 * Recomputes the chain from the first record: each record's hash must cover its content and the
 * previous record's hash, and sequence numbers must run without gaps. Reports the first record that
 * breaks the chain, so an edited, removed or inserted row is found.
 */
export async function verifyAuditChain(governance: GovernanceStore, pageSize = 1000): Promise<ChainReport> {
  let prevHash = '';
  let expected = 1;
  let checked = 0;
  for (;;) {
    const page = await governance.readAudit({ afterSeq: expected - 1, limit: pageSize });
    for (const r of page) {
      checked++;
      const broken = (reason: string): ChainReport => ({
        ok: false,
        checked,
        brokenAt: r.seq,
        reason,
        lastHash: prevHash,
      });
      if (r.seq !== expected) return { ...broken(`record ${expected} is missing`), brokenAt: expected };
      if (r.prevHash !== prevHash)
        return broken(`record ${r.seq} does not link to record ${r.seq - 1} (previous hash differs)`);
      if (auditHash(prevHash, r.seq, r) !== r.hash)
        return broken(`record ${r.seq} was altered: its content does not match its hash`);
      prevHash = r.hash;
      expected++;
    }
    if (page.length < pageSize) return { ok: true, checked, lastHash: prevHash };
  }
}
