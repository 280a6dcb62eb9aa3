/**
 * CloudEvents 1.0 over HTTP in its three modes:
 *
 * - structured: one event as JSON, `content-type: application/cloudevents+json`;
 * - batch: a JSON array of structured events, `content-type: application/cloudevents-batch+json`;
 * - binary: attributes in `ce-*` headers (values percent-encoded as the HTTP binding says), the
 *   body is the data and `content-type` its media type.
 *
 * Baton's short types travel under `typePrefix` (`order.created` ↔ `com.baton.retail.order.created`);
 * types from elsewhere are kept whole. `dataschema` names the contract version the data follows, as
 * `urn:baton:contract:<type>:v<version>`. Two extensions are understood: `correlationid` (the
 * business conversation an event belongs to) and `traceparent` (W3C Trace Context, checked).
 *
 * Decoding never throws: it returns every problem as an issue with a JSON pointer to the attribute
 * (`/id`), and for a batch to the event and attribute (`/3/id`).
 */
import { ValidationError, type ValidationIssue } from '../core/index.js';

export const typePrefix = 'com.baton.retail.';

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

export type HttpMode = 'structured' | 'batch' | 'binary';

/** An event as Baton handles it: CloudEvents attributes, with `type` in Baton's short form. */
export interface ContractEvent {
  id: string;
  /** URI-reference of the producer, e.g. `/shopify/acme-store` or `urn:sap:s4:PRD:100`. */
  source: string;
  /** `order.created`, or a foreign type whole. */
  type: string;
  /** RFC 3339. */
  time?: string;
  /** The business key: an order id, a transfer id, … */
  subject?: string;
  /** The contract version of `data`: `urn:baton:contract:order.created:v2`. */
  dataschema?: string;
  datacontenttype?: string;
  data?: unknown;
  correlationid?: string;
  /** W3C trace parent: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. */
  traceparent?: string;
  /** Other extension attributes. */
  extensions?: Record<string, string | number | boolean>;
}

export interface HttpMessage {
  headers: Record<string, string>;
  body: string;
}

/** Binary mode carries bytes as they are when the data is bytes. */
export interface BinaryHttpMessage {
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export type DecodeResult =
  | { ok: true; mode: HttpMode; events: ContractEvent[] }
  | { ok: false; mode?: HttpMode; issues: ValidationIssue[] };

// ------------------------------------------------------------------ types and dataschema

/** `order.created` → `com.baton.retail.order.created` (a type already under the prefix is kept). */
export const toCloudEventType = (type: string) =>
  type.startsWith(typePrefix) ? type : `${typePrefix}${type}`;

/** `com.baton.retail.order.created` → `order.created`; types outside the prefix are kept whole. */
export const fromCloudEventType = (type: string) =>
  type.startsWith(typePrefix) && type.length > typePrefix.length ? type.slice(typePrefix.length) : type;

const DATASCHEMA = /^urn:baton:contract:([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+):v([1-9][0-9]{0,8})$/;

/** The `dataschema` URI naming version `version` of contract `type`. */
export function dataschemaFor(type: string, version: number): string {
  if (!Number.isInteger(version) || version < 1)
    throw new ValidationError(`version ${version} is not a positive integer`);
  const uri = `urn:baton:contract:${type}:v${version}`;
  if (!DATASCHEMA.test(uri)) throw new ValidationError(`"${type}" is not a contract type name`);
  return uri;
}

/** The contract type and version a Baton `dataschema` names; undefined for any other URI. */
export function parseDataschema(uri: string): { type: string; version: number } | undefined {
  const m = DATASCHEMA.exec(uri);
  return m ? { type: m[1]!, version: Number(m[2]) } : undefined;
}

// ------------------------------------------------------------------ attribute rules

const CORE = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'dataschema',
  'datacontenttype',
  'data',
  'data_base64',
]);
const EXTENSION_NAME = /^[a-z0-9]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const JSON_MEDIA = /^(application\/json|text\/json|application\/[^;\s]+\+json)\s*(;|$)/i;

/** Whether a W3C `traceparent` value is well formed (version ff and all-zero ids are invalid). */
export function isTraceparent(value: string): boolean {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(value);
  if (!m) return false;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || /^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return false;
  return version !== '00' || rest === undefined;
}

const isJsonMedia = (contentType: string | undefined) =>
  contentType === undefined || JSON_MEDIA.test(contentType);

/**
 * Reads one event in structured form (a parsed JSON value). Issues are pointers under `at`
 * (`''` for a single event, `/3` for the fourth of a batch).
 */
export function fromStructured(
  value: unknown,
  at = '',
): { event?: ContractEvent; issues: ValidationIssue[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { issues: [{ path: at, message: 'must be a JSON object (one CloudEvent)' }] };
  const v = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const problem = (name: string, message: string) => issues.push({ path: `${at}/${name}`, message });
  const text = (name: string, required: boolean): string | undefined => {
    const x = v[name];
    if (x === undefined) {
      if (required) problem(name, 'is required: a non-empty string');
      return undefined;
    }
    if (typeof x === 'string' && x.length > 0) return x;
    problem(name, 'must be a non-empty string');
    return undefined;
  };

  if (v.specversion === undefined) problem('specversion', 'is required: "1.0"');
  else if (v.specversion !== '1.0') problem('specversion', 'must be "1.0"');
  const id = text('id', true);
  const source = text('source', true);
  const type = text('type', true);
  const time = text('time', false);
  if (time !== undefined && (!RFC3339.test(time) || !Number.isFinite(Date.parse(time))))
    problem('time', 'must be an RFC 3339 timestamp, e.g. 2026-03-02T09:14:27Z');
  const subject = text('subject', false);
  const datacontenttype = text('datacontenttype', false);
  const dataschema = text('dataschema', false);
  if (dataschema !== undefined) {
    if (!URI.test(dataschema)) problem('dataschema', 'must be an absolute URI');
    else if (dataschema.startsWith('urn:baton:contract:') && !parseDataschema(dataschema))
      problem(
        'dataschema',
        'must look like urn:baton:contract:<type>:v<version>, e.g. urn:baton:contract:order.created:v2',
      );
  }

  let data: unknown;
  if ('data' in v && 'data_base64' in v) problem('data_base64', 'must not be given together with data');
  else if ('data' in v) data = v.data;
  else if (v.data_base64 !== undefined) {
    if (typeof v.data_base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.data_base64))
      problem('data_base64', 'must be base64 text');
    else {
      const bytes = Buffer.from(v.data_base64, 'base64');
      if (!isJsonMedia(datacontenttype)) data = new Uint8Array(bytes);
      else {
        try {
          data = JSON.parse(bytes.toString('utf8'));
        } catch {
          problem(
            'data_base64',
            `does not hold JSON, as datacontenttype ${datacontenttype ?? '(JSON)'} says`,
          );
        }
      }
    }
  }

  const extensions: Record<string, string | number | boolean> = {};
  for (const [name, x] of Object.entries(v)) {
    if (CORE.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      problem(name, 'is not a valid extension name: lower-case letters and digits only');
      continue;
    }
    if (typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isInteger(x)))
      extensions[name] = x;
    else problem(name, 'must be a string, an integer or a boolean');
  }
  const { correlationid, traceparent, ...others } = extensions;
  if (correlationid !== undefined && (typeof correlationid !== 'string' || correlationid.length === 0))
    problem('correlationid', 'must be a non-empty string');
  if (traceparent !== undefined && (typeof traceparent !== 'string' || !isTraceparent(traceparent)))
    problem(
      'traceparent',
      'must be a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>',
    );

  if (issues.length > 0 || !id || !source || !type) return { issues };
  const event: ContractEvent = { id, source, type: fromCloudEventType(type) };
  if (time !== undefined) event.time = time;
  if (subject !== undefined) event.subject = subject;
  if (dataschema !== undefined) event.dataschema = dataschema;
  if (datacontenttype !== undefined) event.datacontenttype = datacontenttype;
  if (data !== undefined) event.data = data;
  if (typeof correlationid === 'string') event.correlationid = correlationid;
  if (typeof traceparent === 'string') event.traceparent = traceparent;
  if (Object.keys(others).length > 0) event.extensions = others;
  return { event, issues: [] };
}

// ------------------------------------------------------------------ encoding

/** The structured JSON form of an event. Throws ValidationError when an attribute is invalid. */
export function toStructured(event: ContractEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: toCloudEventType(event.type),
  };
  if (event.time !== undefined) out.time = event.time;
  if (event.subject !== undefined) out.subject = event.subject;
  if (event.dataschema !== undefined) out.dataschema = event.dataschema;
  for (const [k, x] of Object.entries(event.extensions ?? {})) out[k] = x;
  if (event.correlationid !== undefined) out.correlationid = event.correlationid;
  if (event.traceparent !== undefined) out.traceparent = event.traceparent;
  if (event.data !== undefined) {
    out.datacontenttype = event.datacontenttype ?? 'application/json';
    if (event.data instanceof Uint8Array) out.data_base64 = Buffer.from(event.data).toString('base64');
    else out.data = event.data;
  } else if (event.datacontenttype !== undefined) out.datacontenttype = event.datacontenttype;
  const { issues } = fromStructured(out);
  if (issues.length > 0)
    throw new ValidationError(
      `invalid CloudEvent ${event.id}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      issues,
    );
  return out;
}

export function encodeStructured(event: ContractEvent): HttpMessage {
  return {
    headers: { 'content-type': `${STRUCTURED_CONTENT_TYPE}; charset=utf-8` },
    body: JSON.stringify(toStructured(event)),
  };
}

export function encodeBatch(events: readonly ContractEvent[]): HttpMessage {
  return {
    headers: { 'content-type': `${BATCH_CONTENT_TYPE}; charset=utf-8` },
    body: JSON.stringify(events.map(toStructured)),
  };
}

/** Binary mode: every attribute but data as a `ce-` header; the body is the data. */
export function encodeBinary(event: ContractEvent): BinaryHttpMessage {
  const structured = toStructured(event);
  const headers: Record<string, string> = {};
  for (const [name, x] of Object.entries(structured)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype') continue;
    headers[`ce-${name}`] = encodeHeaderValue(String(x));
  }
  let body: string | Uint8Array = '';
  if (event.data !== undefined) {
    const contentType = structured.datacontenttype as string;
    headers['content-type'] = contentType;
    if (event.data instanceof Uint8Array) body = event.data;
    else if (typeof event.data === 'string' && !isJsonMedia(contentType)) body = event.data;
    else body = JSON.stringify(event.data);
  }
  return { headers, body };
}

/** Percent-encodes what the HTTP binding forbids raw in a header: non-printable or non-ASCII, space, `"` and `%`. */
function encodeHeaderValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c > 0x20 && c < 0x7f && ch !== '"' && ch !== '%') out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ------------------------------------------------------------------ decoding

type Headers = Record<string, string | string[] | undefined>;

/**
 * Reads the events of an HTTP request or response in any of the three modes, chosen by
 * `content-type` (binary when it is not a CloudEvents type and `ce-specversion` is present). The
 * body may be text, bytes, or a value a framework already parsed.
 */
export function decodeHttp(message: { headers: Headers; body: unknown }): DecodeResult {
  const headers = lowerCase(message.headers);
  const contentType = headers['content-type'];
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  if (media === STRUCTURED_CONTENT_TYPE) {
    const parsed = parseBody(message.body, '');
    if ('issues' in parsed) return { ok: false, mode: 'structured', issues: parsed.issues };
    const { event, issues } = fromStructured(parsed.value);
    return event
      ? { ok: true, mode: 'structured', events: [event] }
      : { ok: false, mode: 'structured', issues };
  }
  if (media === BATCH_CONTENT_TYPE) {
    const parsed = parseBody(message.body, '');
    if ('issues' in parsed) return { ok: false, mode: 'batch', issues: parsed.issues };
    if (!Array.isArray(parsed.value))
      return {
        ok: false,
        mode: 'batch',
        issues: [{ path: '', message: 'must be a JSON array of CloudEvents' }],
      };
    const events: ContractEvent[] = [];
    const issues: ValidationIssue[] = [];
    parsed.value.forEach((item, i) => {
      const r = fromStructured(item, `/${i}`);
      if (r.event) events.push(r.event);
      issues.push(...r.issues);
    });
    return issues.length === 0 ? { ok: true, mode: 'batch', events } : { ok: false, mode: 'batch', issues };
  }
  if (media?.startsWith('application/cloudevents'))
    return {
      ok: false,
      issues: [
        { path: '', message: `unsupported event format ${media}: use JSON (${STRUCTURED_CONTENT_TYPE})` },
      ],
    };
  if (headers['ce-specversion'] !== undefined) return decodeBinary(headers, contentType, message.body);
  return {
    ok: false,
    issues: [
      {
        path: '',
        message: `not a CloudEvent: expected content-type ${STRUCTURED_CONTENT_TYPE} or ${BATCH_CONTENT_TYPE}, or ce-* headers`,
      },
    ],
  };
}

function decodeBinary(
  headers: Record<string, string>,
  contentType: string | undefined,
  body: unknown,
): DecodeResult {
  const issues: ValidationIssue[] = [];
  const attributes: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith('ce-')) continue;
    const attribute = name.slice(3);
    try {
      attributes[attribute] = decodeURIComponent(raw);
    } catch {
      issues.push({ path: `/${attribute}`, message: `header ${name} has a malformed percent-encoding` });
    }
  }
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  const empty =
    body === undefined ||
    body === null ||
    (typeof body === 'string' && body.length === 0) ||
    (body instanceof Uint8Array && body.length === 0);
  if (!empty) {
    if (typeof body !== 'string' && !(body instanceof Uint8Array)) attributes.data = body;
    else if (isJsonMedia(contentType)) {
      const parsed = parseBody(body, '/data');
      if ('issues' in parsed) issues.push(...parsed.issues);
      else attributes.data = parsed.value;
    } else attributes.data = typeof body === 'string' ? body : new Uint8Array(body);
  }
  const r = fromStructured(attributes);
  issues.push(...r.issues);
  return r.event && issues.length === 0
    ? { ok: true, mode: 'binary', events: [r.event] }
    : { ok: false, mode: 'binary', issues };
}

function parseBody(body: unknown, at: string): { value: unknown } | { issues: ValidationIssue[] } {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return { value: body };
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return {
      issues: [
        { path: at, message: `is not valid JSON: ${err instanceof Error ? err.message : String(err)}` },
      ],
    };
  }
}

function lowerCase(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}
