import { applyMapping, type Mapping, MappingError, mappingLabel } from '../connectors/index.js';
import { errorMessage } from '../core/index.js';
import type { ApiDeps } from './context.js';
import { TYPE_PREFIX } from './envelope.js';
import { type Candidate, type Checked, check, commit, HTTP_ORIGIN, type Outcome } from './ingest.js';

/**
 * Inbound adapters (webhooks, POS batches) map what they receive to a contract event and hand it to
 * the same ingestion as `POST /v1/events`: checked against the registry, kept durably, idempotent on
 * source and id, or quarantined with the reason. Quarantined entries carry the `http` origin so a
 * replay goes through that same ingestion once the event has been corrected.
 */

export interface MappedInput {
  mapping: Mapping;
  /** What the mapping reads. */
  input: unknown;
  /** The event id (the sender's delivery id, or one derived from the business key). */
  id: string;
  /** `/shopify/<source>`, `/pos/<source>`, … */
  source: string;
  /** What quarantine keeps when the mapping itself fails: the payload as received. */
  received: unknown;
  extensions?: Record<string, string>;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The business key and time an order-like event names, for the CloudEvents subject and time. */
function attributes(data: unknown): { subject?: string; time?: string } {
  const d = (data ?? {}) as Record<string, unknown>;
  const out: { subject?: string; time?: string } = {};
  if (typeof d.orderId === 'string' && d.orderId.length > 0) out.subject = d.orderId;
  const t = d.placedAt;
  if (typeof t === 'string' && RFC3339.test(t) && Number.isFinite(Date.parse(t))) out.time = t;
  return out;
}

/** Maps one input and checks the event it makes; a mapping failure becomes a quarantine entry. */
export async function checkMapped(
  deps: Pick<ApiDeps, 'registry'>,
  item: MappedInput,
  ctx: { publishedBy: string; receivedAt: number },
): Promise<Checked> {
  const { mapping } = item;
  const to = mapping.to;
  if (!('contract' in to))
    throw new Error(`mapping ${mappingLabel(mapping)} does not produce a contract event`);
  const type = to.contract;
  let data: unknown;
  try {
    // the registry checks the contract below, against the version it holds
    data = await applyMapping(mapping, item.input, { checkOutput: false });
  } catch (err) {
    const issues = err instanceof MappingError ? err.issues : [{ path: '', message: errorMessage(err) }];
    return {
      ok: false,
      entry: {
        origin: HTTP_ORIGIN,
        reason: errorMessage(err),
        issues,
        payload: { mapping: mapping.name, mappingVersion: mapping.version, received: item.received },
        type,
        eventId: item.id,
        source: item.source,
        receivedAt: ctx.receivedAt,
        publishedBy: ctx.publishedBy,
      },
    };
  }
  const { subject, time } = attributes(data);
  const event: NonNullable<Candidate['event']> = { id: item.id, source: item.source, type, data };
  if (subject) event.subject = subject;
  if (time) event.time = time;
  if (to.version !== undefined) event.version = to.version;
  if (item.extensions && Object.keys(item.extensions).length > 0) event.extensions = item.extensions;
  const payload: Record<string, unknown> = {
    specversion: '1.0',
    id: item.id,
    source: item.source,
    type: `${TYPE_PREFIX}${type}`,
    ...(subject ? { subject } : {}),
    ...(time ? { time } : {}),
    ...(to.version !== undefined ? { dataschema: `urn:baton:contract:${type}:v${to.version}` } : {}),
    ...item.extensions,
    data,
  };
  const [checked] = await check(deps, [{ payload, event, issues: [] }], {
    origin: HTTP_ORIGIN,
    publishedBy: ctx.publishedBy,
    receivedAt: ctx.receivedAt,
  });
  if (checked!.ok) return checked!;
  // name the mapping: the fix may belong in it rather than in the sender
  const entry = {
    ...checked!.entry,
    reason: `mapping ${mappingLabel(mapping)}: output ${checked!.entry.reason}`,
  };
  return { ok: false, entry };
}

/** Maps each input and ingests the results in one commit, in order. */
export async function ingestMapped(
  deps: Pick<ApiDeps, 'registry' | 'governance' | 'engine' | 'bus' | 'log'>,
  items: MappedInput[],
  ctx: { publishedBy: string; receivedAt: number },
): Promise<Outcome[]> {
  const checked = await Promise.all(items.map((item) => checkMapped(deps, item, ctx)));
  return commit(deps, checked);
}
