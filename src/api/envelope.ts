import type { IncomingHttpHeaders } from 'node:http';
import type { ValidationIssue } from '../core/index.js';
import type { Candidate } from './ingest.js';
import { HttpProblem } from './problem.js';

/**
 * Reading events out of a request. Four shapes arrive: CloudEvents 1.0 structured
 * (`application/cloudevents+json`), batch (`application/cloudevents-batch+json`) and binary (`ce-*`
 * headers, the body is the data) modes, and a plain JSON `{ type, source, id, subject?, data }` (or an
 * array of them). Problems with one event become its issues, so the others of a batch go on; only a
 * request that holds no readable list of events is refused as a whole.
 */

export const TYPE_PREFIX = 'com.baton.retail.';

const ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'dataschema',
  'datacontenttype',
  'data',
  'data_base64',
]);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const JSON_MEDIA = /^(application\/json|text\/json|application\/[^;\s]+\+json)\s*(;|$)/i;

/** `urn:baton:contract:<type>:v<n>` (or a URL ending in `/contracts/<type>/versions/<n>`) → type and version. */
export function readDataschema(uri: string): { type: string; version: number } | undefined {
  const m =
    /^urn:baton:contract:([a-z0-9._-]+):v([1-9]\d{0,8})$/.exec(uri) ??
    /\/contracts\/([a-z0-9._-]+)\/versions\/([1-9]\d{0,8})$/.exec(uri);
  return m ? { type: m[1]!, version: Number(m[2]) } : undefined;
}

/** Baton's short type: `com.baton.retail.order.created` → `order.created`. */
export const shortType = (t: string) =>
  t.startsWith(TYPE_PREFIX) && t.length > TYPE_PREFIX.length ? t.slice(TYPE_PREFIX.length) : t;

/** Reads one event in structured CloudEvents form, or plain when it has no `specversion`. */
export function decodeEvent(value: unknown): Candidate {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { payload: value, issues: [{ path: '', message: 'must be a JSON object (one event)' }] };
  const v = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const cloudEvent = v.specversion !== undefined;
  if (cloudEvent && v.specversion !== '1.0') issues.push({ path: '/specversion', message: 'must be "1.0"' });
  const text = (name: string, required: boolean): string | undefined => {
    const x = v[name];
    if (x === undefined && !required) return undefined;
    if (typeof x === 'string' && x.trim().length > 0 && x.length <= 1024) return x;
    issues.push({
      path: `/${name}`,
      message: `${required ? 'is required: ' : 'must be '}a non-empty string of at most 1024 characters`,
    });
    return undefined;
  };
  const id = text('id', true);
  const source = text('source', true);
  const rawType = text('type', true);
  const subject = text('subject', false);
  const time = text('time', false);
  if (time !== undefined && (!RFC3339.test(time) || !Number.isFinite(Date.parse(time))))
    issues.push({ path: '/time', message: 'must be an RFC 3339 timestamp, e.g. 2026-03-01T10:00:00Z' });
  const contentType = text('datacontenttype', false);
  if (contentType !== undefined && !JSON_MEDIA.test(contentType))
    issues.push({
      path: '/datacontenttype',
      message: 'must be a JSON media type: Baton validates JSON data',
    });
  if (v.data_base64 !== undefined)
    issues.push({ path: '/data_base64', message: 'binary data is not accepted; send JSON data' });
  if (!('data' in v)) issues.push({ path: '/data', message: 'is required: the event payload' });
  const type = rawType === undefined ? undefined : shortType(rawType);
  let version: number | undefined;
  const dataschema = text('dataschema', false);
  if (dataschema !== undefined) {
    const named = readDataschema(dataschema);
    if (!named)
      issues.push({
        path: '/dataschema',
        message: 'must name a contract version: urn:baton:contract:<type>:v<n>',
      });
    else if (type !== undefined && named.type !== type)
      issues.push({ path: '/dataschema', message: `names the contract of ${named.type}, not of ${type}` });
    else version = named.version;
  }
  const extensions: Record<string, string> = {};
  for (const [name, x] of Object.entries(v)) {
    if (ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      issues.push({
        path: `/${name}`,
        message: 'is not a CloudEvents attribute: names are 1 to 20 lower-case letters or digits',
      });
      continue;
    }
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') {
      issues.push({ path: `/${name}`, message: 'extension attributes must be strings, numbers or booleans' });
      continue;
    }
    extensions[name] = String(x);
  }
  if (extensions.traceparent !== undefined && !TRACEPARENT.test(extensions.traceparent))
    issues.push({ path: '/traceparent', message: 'must be a W3C traceparent: 00-<32 hex>-<16 hex>-<2 hex>' });
  if (!id || !source || !type || issues.length > 0) return { payload: value, issues };
  const event: NonNullable<Candidate['event']> = { id, source, type, data: v.data };
  if (subject !== undefined) event.subject = subject;
  if (time !== undefined) event.time = time;
  if (version !== undefined) event.version = version;
  if (Object.keys(extensions).length > 0) event.extensions = extensions;
  return { payload: value, event, issues };
}

/** A binary-mode event (`ce-*` headers) in structured form, so quarantine and replay read one shape. */
function fromBinary(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    const attr = name.slice(3);
    out[attr] = Array.isArray(value) ? value.join(',') : decodeURIComponentSafe(value);
  }
  const ct = headers['content-type'];
  if (ct) out.datacontenttype = ct;
  out.data = body ?? null;
  return out;
}

/** Binary-mode header values are percent-encoded where they hold characters outside printable ASCII. */
function decodeURIComponentSafe(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/**
 * The events of a request, each decoded as far as it can be. Throws 400 for a body that holds no list
 * of events and 413 for a batch over `maxBatch`.
 */
export function decodeRequest(headers: IncomingHttpHeaders, body: unknown, maxBatch: number): Candidate[] {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (headers['ce-specversion'] !== undefined) return [decodeEvent(fromBinary(headers, body))];
  const batch = contentType.startsWith('application/cloudevents-batch+json');
  if (batch && !Array.isArray(body))
    throw new HttpProblem(400, 'a CloudEvents batch must be a JSON array of events');
  if (!Array.isArray(body)) return [decodeEvent(body)];
  if (body.length === 0) throw new HttpProblem(400, 'the batch is empty: send at least one event');
  if (body.length > maxBatch)
    throw new HttpProblem(
      413,
      `the batch holds ${body.length} events; at most ${maxBatch} are accepted per request`,
    );
  return body.map(decodeEvent);
}
