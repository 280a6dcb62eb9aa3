import type { BusEvent } from '../bus/index.js';
import type { ValidationIssue } from '../core/index.js';
import type { IngestedEvent, QuarantineInput } from '../store/index.js';
import type { ApiDeps } from './context.js';

/**
 * The ingestion pipeline shared by event posts and quarantine replays: check each event against its
 * contract, keep the valid ones durably (idempotent on source and id, entering the engine inbox in the
 * same transaction) and the invalid ones in quarantine, then wake the runs they matched.
 */

/** The quarantine origin of events refused by this API. */
export const HTTP_ORIGIN = 'http';

/** One event of a request, decoded as far as its envelope allows. */
export interface Candidate {
  /** The event as received, in structured CloudEvents form: what quarantine keeps and a replay reads. */
  payload: unknown;
  /** The envelope, when it could be read. */
  event?: {
    id: string;
    source: string;
    /** Baton's short type, `order.created`. */
    type: string;
    subject?: string;
    time?: string;
    /** The contract version named by `dataschema`; absent: the latest. */
    version?: number;
    data: unknown;
    extensions?: Record<string, string>;
  };
  /** Envelope problems, pointers relative to this event. */
  issues: ValidationIssue[];
}

export type Outcome =
  | { status: 'accepted' | 'duplicate'; id: string; source: string; type: string; contractVersion: number }
  | {
      status: 'quarantined';
      id?: string;
      source?: string;
      type?: string;
      quarantineId?: string;
      reason: string;
      issues: ValidationIssue[];
    };

/** An event that passed its contract, or why it did not. */
export type Checked = { ok: true; event: IngestedEvent } | { ok: false; entry: QuarantineInput };

const summarise = (issues: ValidationIssue[]) => {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return first ? `${first.path || '/'} ${first.message}${more}` : 'invalid';
};

/**
 * Validates every candidate against its contract. Validations run concurrently: one batch costs one
 * round of contract look-ups, not one per event in sequence.
 */
export async function check(
  deps: Pick<ApiDeps, 'registry'>,
  candidates: Candidate[],
  ctx: { origin: string; publishedBy?: string; receivedAt: number },
): Promise<Checked[]> {
  return Promise.all(
    candidates.map(async (c): Promise<Checked> => {
      const quarantined = (reason: string, issues: ValidationIssue[]): Checked => {
        const entry: QuarantineInput = {
          origin: ctx.origin,
          reason,
          issues,
          payload: c.payload,
          receivedAt: ctx.receivedAt,
        };
        if (c.event?.type) entry.type = c.event.type;
        if (c.event?.id) entry.eventId = c.event.id;
        if (c.event?.source) entry.source = c.event.source;
        if (ctx.publishedBy) entry.publishedBy = ctx.publishedBy;
        return { ok: false, entry };
      };
      const e = c.event;
      if (!e || c.issues.length > 0) return quarantined(`malformed event: ${summarise(c.issues)}`, c.issues);
      const verdict = await deps.registry.validateEvent(e.type, e.data, e.version);
      if (!verdict.ok) {
        const issues = verdict.issues.map((i) => ({
          path: i.path.startsWith('/') || i.path === '' ? `/data${i.path}` : i.path,
          message: i.message,
        }));
        const against = verdict.version === undefined ? e.type : `${e.type} v${verdict.version}`;
        return quarantined(`does not match the contract ${against}: ${summarise(issues)}`, issues);
      }
      const event: IngestedEvent = {
        id: e.id,
        source: e.source,
        type: e.type,
        contractVersion: verdict.version,
        data: e.data,
        receivedAt: ctx.receivedAt,
      };
      if (e.subject !== undefined) event.subject = e.subject;
      if (e.time !== undefined) event.time = e.time;
      if (e.extensions && Object.keys(e.extensions).length > 0) event.extensions = e.extensions;
      if (ctx.publishedBy) event.publishedBy = ctx.publishedBy;
      return { ok: true, event };
    }),
  );
}

/**
 * Keeps the checked events: the valid ones in one `recordIngested` call, the invalid ones in one
 * `quarantine` call, both durable before this resolves. Then wakes the runs they matched and hands new
 * and repeated events to the bus, whose triggers start their workflows once per event.
 */
export async function commit(
  deps: Pick<ApiDeps, 'governance' | 'engine' | 'bus' | 'log'>,
  checked: Checked[],
): Promise<Outcome[]> {
  const valid = checked.flatMap((c) => (c.ok ? [c.event] : []));
  const invalid = checked.flatMap((c) => (c.ok ? [] : [c.entry]));
  const [recorded, held] = await Promise.all([
    deps.governance.recordIngested(valid),
    deps.governance.quarantine(invalid),
  ]);
  if (recorded.some((r) => r.woke.length > 0)) deps.engine.nudge();
  if (deps.bus && valid.length > 0) await handOff(deps, valid);
  let v = 0;
  let q = 0;
  return checked.map((c): Outcome => {
    if (c.ok) {
      const r = recorded[v++]!;
      const e = c.event;
      return {
        status: r.duplicate ? 'duplicate' : 'accepted',
        id: e.id,
        source: e.source,
        type: e.type,
        contractVersion: e.contractVersion,
      };
    }
    const entry = held[q++]!;
    const out: Outcome = {
      status: 'quarantined',
      quarantineId: entry.id,
      reason: entry.reason,
      issues: entry.issues,
    };
    if (entry.eventId) out.id = entry.eventId;
    if (entry.source) out.source = entry.source;
    if (entry.type) out.type = entry.type;
    return out;
  });
}

/**
 * Hands kept events to the bus router. The events are durable already, so a failure here is logged,
 * not returned: the producer must not resend an event Baton has accepted.
 */
async function handOff(deps: Pick<ApiDeps, 'bus' | 'log'>, events: IngestedEvent[]): Promise<void> {
  const bus = deps.bus!;
  await Promise.all(
    events.map(async (e) => {
      const be: BusEvent = {
        id: e.id,
        type: e.type,
        source: e.source,
        time: e.time ? Date.parse(e.time) : e.receivedAt,
        data: e.data,
      };
      if (e.subject !== undefined) be.subject = e.subject;
      try {
        await bus.receive(be, 'api');
      } catch (err) {
        deps.log.warn('handing an accepted event to the bus failed', { eventId: e.id, error: String(err) });
      }
    }),
  );
}
