import { ValidationError, type ValidationIssue } from '../core/index.js';
import type { BusEvent } from './types.js';

/** Baton's short type `order.confirmed` travels as `com.baton.retail.order.confirmed`. */
export const defaultTypePrefix = 'com.baton.retail.';

/** A CloudEvents 1.0 event in structured JSON mode, the payload of every bus message. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  data?: unknown;
}

export function toCloudEvent(e: BusEvent, typePrefix = defaultTypePrefix): CloudEvent {
  const ce: CloudEvent = {
    specversion: '1.0',
    id: e.id,
    type: `${typePrefix}${e.type}`,
    source: e.source ?? '/baton',
  };
  if (e.subject) ce.subject = e.subject;
  ce.time = new Date(e.time).toISOString();
  ce.datacontenttype = 'application/json';
  ce.data = e.data;
  return ce;
}

/**
 * Reads a structured CloudEvents 1.0 JSON value into a bus event. Types under `typePrefix` lose the
 * prefix (so waits name Baton's short types); foreign types are kept whole. Throws a ValidationError
 * that lists every problem.
 */
export function fromCloudEvent(value: unknown, receivedAt: number, typePrefix = defaultTypePrefix): BusEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError('malformed CloudEvent: expected a JSON object', [
      { path: '', message: 'must be an object' },
    ]);
  const v = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const text = (name: string, required: boolean): string | undefined => {
    const x = v[name];
    if (x === undefined && !required) return undefined;
    if (typeof x === 'string' && x.length > 0) return x;
    issues.push({
      path: `/${name}`,
      message: required ? 'is required: a non-empty string' : 'must be a non-empty string',
    });
    return undefined;
  };
  if (v.specversion !== '1.0') issues.push({ path: '/specversion', message: 'must be "1.0"' });
  const id = text('id', true);
  const type = text('type', true);
  const source = text('source', true);
  const subject = text('subject', false);
  const time = text('time', false);
  if (time !== undefined && !Number.isFinite(Date.parse(time)))
    issues.push({ path: '/time', message: 'must be an RFC 3339 timestamp' });
  if (v.data_base64 !== undefined)
    issues.push({ path: '/data_base64', message: 'binary data is not supported; send JSON data' });
  if (issues.length > 0 || !id || !type || !source)
    throw new ValidationError(
      `malformed CloudEvent: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      issues,
    );
  const e: BusEvent = {
    id,
    type:
      type.startsWith(typePrefix) && type.length > typePrefix.length ? type.slice(typePrefix.length) : type,
    source,
    time: time === undefined ? receivedAt : Date.parse(time),
    data: v.data ?? null,
  };
  if (subject) e.subject = subject;
  return e;
}
