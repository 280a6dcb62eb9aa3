/**
 * The AsyncAPI 3.0 description of the registered event types: one channel per type (its address
 * is the CloudEvents type), one `send` operation, and a message whose payload is the latest
 * schema and whose headers are the CloudEvents binary-mode attributes. Each schema is placed under
 * `components/schemas` with its local `$ref`s rewritten to point there.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/index.js';
import type { ContractTypeRecord, ContractVersionRecord } from '../store/index.js';
import { canonicalJson } from '../store/index.js';
import { dataschemaFor, typePrefix } from './cloudevents.js';

export interface AsyncApiOptions {
  title?: string;
  /** Where producers send events, e.g. `https://baton.example.com/v1/events`. */
  serverUrl?: string;
}

const TRACEPARENT = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$';

export function asyncApiDocument(
  contracts: ReadonlyArray<{ type: ContractTypeRecord; latest: ContractVersionRecord }>,
  options: AsyncApiOptions = {},
): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const { type, latest } of contracts) {
    const key = `${type.type}.v${latest.version}`;
    const ceType = `${typePrefix}${type.type}`;
    const dataschema = dataschemaFor(type.type, latest.version);
    schemas[key] = rebase(latest.schema, `#/components/schemas/${key}`);
    const headers = {
      specversion: '1.0',
      id: 'example-1',
      source: '/baton',
      type: ceType,
      dataschema,
    };
    messages[key] = {
      name: type.type,
      title: `${type.type} v${latest.version}`,
      summary: type.description,
      contentType: 'application/json',
      headers: headerSchema(ceType, dataschema),
      payload: { $ref: `#/components/schemas/${key}` },
      correlationId: { $ref: '#/components/correlationIds/correlationid' },
      ...(latest.example === undefined
        ? {}
        : {
            examples: [
              {
                name: 'example',
                headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [`ce-${k}`, v])),
                payload: latest.example,
              },
            ],
          }),
      'x-baton-owner': type.owner,
      'x-baton-version': latest.version,
      'x-baton-compatibility': type.compatibility,
      'x-baton-lifecycle': type.lifecycle,
      ...(type.sunsetAt === undefined ? {} : { 'x-baton-sunset': new Date(type.sunsetAt).toISOString() }),
    };
    channels[type.type] = {
      address: ceType,
      title: type.type,
      description: `${type.description} Owner: ${type.owner}.`,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    operations[`${type.type}.send`] = {
      action: 'send',
      channel: { $ref: `#/channels/${type.type}` },
      summary: `Publish ${type.type} events`,
      messages: [{ $ref: `#/channels/${type.type}/messages/${key}` }],
    };
  }
  const doc: Record<string, unknown> = {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Baton retail events',
      version: `contracts-${fingerprint(contracts)}`,
      description:
        'Event contracts registered in Baton. Events travel as CloudEvents 1.0 (structured, batch or binary HTTP mode); `type` is the channel address, `subject` the business key and `dataschema` names the contract version (urn:baton:contract:<type>:v<version>). Payload schemas are JSON Schema 2020-12.',
    },
    defaultContentType: 'application/json',
  };
  if (options.serverUrl) doc.servers = { baton: server(options.serverUrl) };
  doc.channels = channels;
  doc.operations = operations;
  doc.components = {
    schemas,
    messages,
    correlationIds: {
      correlationid: {
        description: 'The business conversation the event belongs to (CloudEvents extension correlationid)',
        location: '$message.header#/ce-correlationid',
      },
    },
  };
  return doc;
}

function headerSchema(ceType: string, dataschema: string) {
  return {
    type: 'object',
    required: ['ce-specversion', 'ce-id', 'ce-source', 'ce-type'],
    properties: {
      'ce-specversion': { type: 'string', const: '1.0' },
      'ce-id': { type: 'string', description: 'Unique per source' },
      'ce-source': { type: 'string', format: 'uri-reference', description: 'The producer' },
      'ce-type': { type: 'string', const: ceType },
      'ce-time': { type: 'string', format: 'date-time' },
      'ce-subject': { type: 'string', description: 'The business key, e.g. the order id' },
      'ce-dataschema': { type: 'string', const: dataschema },
      'ce-correlationid': { type: 'string', description: 'Correlation id extension' },
      'ce-traceparent': { type: 'string', pattern: TRACEPARENT, description: 'W3C Trace Context' },
    },
  };
}

/** The schema with local `$ref`s pointing at its new home; `$schema` and `$id` are dropped there. */
function rebase(schema: unknown, home: string): unknown {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node))
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${home}${v.slice(1)}` : walk(v);
    return out;
  };
  const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
  return walk(rest);
}

function server(url: string) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValidationError(`server URL "${url}" is not a URL`, [
      { path: '/serverUrl', message: 'must be an absolute URL, e.g. https://baton.example.com/v1/events' },
    ]);
  }
  return {
    host: u.host,
    protocol: u.protocol.replace(/:$/, ''),
    ...(u.pathname && u.pathname !== '/' ? { pathname: u.pathname } : {}),
    description: 'Baton’s event endpoint',
  };
}

function fingerprint(contracts: ReadonlyArray<{ type: ContractTypeRecord; latest: ContractVersionRecord }>) {
  const summary = contracts.map((c) => [
    c.type.type,
    c.latest.version,
    c.latest.fingerprint,
    c.type.lifecycle,
  ]);
  return createHash('sha256').update(canonicalJson(summary)).digest('hex').slice(0, 12);
}
