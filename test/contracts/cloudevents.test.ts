import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudEvent, type CloudEventV1, HTTP } from 'cloudevents';
import {
  BATCH_CONTENT_TYPE,
  type ContractEvent,
  catalogue,
  dataschemaFor,
  decodeHttp,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  parseDataschema,
  STRUCTURED_CONTENT_TYPE,
} from '../../src/contracts/index.js';
import { ValidationError } from '../../src/core/index.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function orderCreated(overrides: Partial<ContractEvent> = {}): ContractEvent {
  const entry = catalogue.find((c) => c.type === 'order.created')!;
  return {
    id: 'evt-1001',
    source: '/shopify/store-42',
    type: 'order.created',
    time: '2026-03-02T09:14:27.000Z',
    subject: 'SO-1001',
    dataschema: dataschemaFor('order.created', 2),
    data: structuredClone(entry.example),
    correlationid: 'conv-77',
    traceparent: TRACEPARENT,
    ...overrides,
  };
}

/** What the SDK read, as plain attributes to compare. */
function attributes(e: CloudEventV1<unknown>) {
  return {
    specversion: e.specversion,
    type: e.type,
    source: e.source,
    id: e.id,
    time: e.time === undefined ? undefined : new Date(e.time).toISOString(),
    subject: e.subject,
    dataschema: e.dataschema,
    correlationid: e.correlationid,
    traceparent: e.traceparent,
  };
}

const expected = (e: ContractEvent) => ({
  specversion: '1.0',
  type: `com.baton.retail.${e.type}`,
  source: e.source,
  id: e.id,
  time: e.time,
  subject: e.subject,
  dataschema: e.dataschema,
  correlationid: e.correlationid,
  traceparent: e.traceparent,
});

const one = (r: CloudEventV1<unknown> | CloudEventV1<unknown>[]): CloudEvent<unknown> => {
  assert.ok(r instanceof CloudEvent, 'one event, as a CloudEvent');
  return r;
};

describe('CloudEvents written by Baton, read by the cloudevents SDK', () => {
  test('structured mode keeps every attribute, both extensions and the data', () => {
    const event = orderCreated();
    const message = encodeStructured(event);
    assert.match(message.headers['content-type']!, /^application\/cloudevents\+json/);
    const read = one(HTTP.toEvent({ headers: message.headers, body: message.body }));
    assert.deepEqual(attributes(read), expected(event));
    assert.equal(read.datacontenttype, 'application/json');
    assert.deepEqual(read.data, event.data);
    assert.equal(read.validate(), true);
    assert.deepEqual(parseDataschema(read.dataschema!), { type: 'order.created', version: 2 });
  });

  test('batch mode gives the SDK every event in order', () => {
    const events = [
      orderCreated(),
      orderCreated({ id: 'evt-1002', subject: 'SO-1002', correlationid: 'conv-78' }),
      orderCreated({ id: 'evt-1003', type: 'order.confirmed', data: { ok: true }, dataschema: undefined }),
    ];
    const message = encodeBatch(events);
    assert.match(message.headers['content-type']!, /^application\/cloudevents-batch\+json/);
    const read = HTTP.toEvent({ headers: message.headers, body: message.body });
    assert.ok(Array.isArray(read));
    assert.deepEqual(
      read.map((e) => [e.id, e.type, e.subject, e.correlationid]),
      [
        ['evt-1001', 'com.baton.retail.order.created', 'SO-1001', 'conv-77'],
        ['evt-1002', 'com.baton.retail.order.created', 'SO-1002', 'conv-78'],
        ['evt-1003', 'com.baton.retail.order.confirmed', 'SO-1001', 'conv-77'],
      ],
    );
    assert.deepEqual(read[2]!.data, { ok: true });
    assert.equal(read[2]!.dataschema, undefined);
  });

  test('binary mode carries the attributes in ce- headers and the data as the body', () => {
    const event = orderCreated();
    const message = encodeBinary(event);
    assert.equal(message.headers['ce-type'], 'com.baton.retail.order.created');
    assert.equal(message.headers['ce-correlationid'], 'conv-77');
    assert.equal(message.headers['content-type'], 'application/json');
    const read = one(HTTP.toEvent({ headers: message.headers, body: message.body as string }));
    assert.deepEqual(attributes(read), expected(event));
    assert.deepEqual(read.data, event.data);
  });

  test('binary mode sends bytes as they are', () => {
    const bytes = new Uint8Array([0x49, 0x53, 0x41, 0x2a, 0x00, 0xff]);
    const event = orderCreated({
      data: bytes,
      datacontenttype: 'application/edi-x12',
      dataschema: undefined,
    });
    const message = encodeBinary(event);
    assert.equal(message.headers['content-type'], 'application/edi-x12');
    assert.deepEqual(message.body, bytes);
    const read = one(
      HTTP.toEvent({ headers: message.headers, body: Buffer.from(message.body as Uint8Array) }),
    );
    assert.equal(read.datacontenttype, 'application/edi-x12');
    assert.deepEqual(new Uint8Array(read.data as Buffer), bytes);

    const structured = decodeHttp(encodeStructured(event));
    assert.ok(structured.ok);
    assert.deepEqual(structured.events[0]!.data, bytes, 'structured mode carries bytes as data_base64');
  });

  test('header values the HTTP binding forbids raw are percent-encoded and read back', () => {
    const event = orderCreated({ subject: 'Müller & Söhne "Nord" 100%' });
    const message = encodeBinary(event);
    assert.equal(message.headers['ce-subject'], 'M%C3%BCller%20&%20S%C3%B6hne%20%22Nord%22%20100%25');
    const back = decodeHttp(message);
    assert.ok(back.ok);
    assert.equal(back.events[0]!.subject, event.subject);
  });
});

describe('events written by the cloudevents SDK, read by Baton', () => {
  const sdkEvent = new CloudEvent({
    id: 'evt-2001',
    source: 'urn:sap:s4:PRD:100',
    type: 'com.baton.retail.price.changed',
    time: '2026-03-02T10:00:00.000Z',
    subject: 'SKU-42',
    dataschema: 'urn:baton:contract:price.changed:v1',
    datacontenttype: 'application/json',
    data: { sku: 'SKU-42', price: '9.90' },
    correlationid: 'conv-9',
    traceparent: TRACEPARENT,
  });

  for (const [mode, serialize] of [
    ['structured', HTTP.structured],
    ['binary', HTTP.binary],
  ] as const) {
    test(`${mode} mode`, () => {
      const message = serialize(sdkEvent);
      const r = decodeHttp({ headers: message.headers as Record<string, string>, body: message.body });
      assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
      assert.equal(r.mode, mode);
      assert.deepEqual(r.events, [
        {
          id: 'evt-2001',
          source: 'urn:sap:s4:PRD:100',
          type: 'price.changed',
          time: '2026-03-02T10:00:00.000Z',
          subject: 'SKU-42',
          dataschema: 'urn:baton:contract:price.changed:v1',
          datacontenttype: 'application/json',
          data: { sku: 'SKU-42', price: '9.90' },
          correlationid: 'conv-9',
          traceparent: TRACEPARENT,
        },
      ]);
    });
  }
});

describe('decodeHttp refuses malformed input, naming the pointer', () => {
  const structured = (value: unknown) => ({
    headers: { 'content-type': `${STRUCTURED_CONTENT_TYPE}; charset=utf-8` },
    body: JSON.stringify(value),
  });
  const valid = () => JSON.parse(encodeStructured(orderCreated()).body) as Record<string, unknown>;
  const issuesOf = (r: ReturnType<typeof decodeHttp>) => {
    assert.equal(r.ok, false);
    return r.ok ? [] : r.issues;
  };
  const paths = (r: ReturnType<typeof decodeHttp>) => issuesOf(r).map((i) => i.path);

  test('missing and empty required attributes', () => {
    const { id: _id, ...noId } = valid();
    assert.deepEqual(paths(decodeHttp(structured(noId))), ['/id']);
    assert.deepEqual(paths(decodeHttp(structured({ ...valid(), source: '', specversion: '0.3' }))), [
      '/specversion',
      '/source',
    ]);
    assert.deepEqual(paths(decodeHttp(structured([]))), ['']);
  });

  test('attributes of the wrong form', () => {
    const r = decodeHttp(
      structured({
        ...valid(),
        time: '02/03/2026 09:14',
        dataschema: 'urn:baton:contract:order.created:latest',
        traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        correlationid: '',
        'Bad-Name': 'x',
        nested: { not: 'allowed' },
      }),
    );
    assert.deepEqual(paths(r).sort(), [
      '/Bad-Name',
      '/correlationid',
      '/dataschema',
      '/nested',
      '/time',
      '/traceparent',
    ]);
    const both = decodeHttp(structured({ ...valid(), data_base64: 'e30=' }));
    assert.deepEqual(paths(both), ['/data_base64']);
  });

  test('a batch names the event and the attribute', () => {
    const { type: _type, ...noType } = valid();
    const r = decodeHttp({
      headers: { 'content-type': BATCH_CONTENT_TYPE },
      body: JSON.stringify([valid(), noType, { ...valid(), time: 'soon' }]),
    });
    assert.equal(r.ok ? '' : r.mode, 'batch');
    assert.deepEqual(paths(r), ['/1/type', '/2/time']);
    assert.deepEqual(
      paths(decodeHttp({ headers: { 'content-type': BATCH_CONTENT_TYPE }, body: JSON.stringify(valid()) })),
      [''],
    );
  });

  test('bodies that are not JSON, and messages that are not CloudEvents', () => {
    const broken = decodeHttp({ headers: { 'content-type': STRUCTURED_CONTENT_TYPE }, body: '{"id": ' });
    assert.deepEqual(paths(broken), ['']);
    assert.match(issuesOf(broken)[0]!.message, /is not valid JSON/);

    const binary = encodeBinary(orderCreated());
    assert.deepEqual(paths(decodeHttp({ headers: binary.headers, body: '{"orderId": ' })), ['/data']);
    assert.deepEqual(
      paths(
        decodeHttp({ headers: { ...binary.headers, 'ce-traceparent': 'not-a-trace' }, body: binary.body }),
      ),
      ['/traceparent'],
    );
    assert.deepEqual(
      paths(decodeHttp({ headers: { ...binary.headers, 'ce-subject': 'SO-%E0%A4%A' }, body: binary.body })),
      ['/subject'],
    );
    const { 'ce-id': _id, ...noId } = binary.headers;
    assert.deepEqual(paths(decodeHttp({ headers: noId, body: binary.body })), ['/id']);

    assert.match(
      issuesOf(decodeHttp({ headers: { 'content-type': 'application/cloudevents+avro' }, body: 'x' }))[0]!
        .message,
      /unsupported event format/,
    );
    assert.match(
      issuesOf(decodeHttp({ headers: { 'content-type': 'application/json' }, body: '{}' }))[0]!.message,
      /not a CloudEvent/,
    );
  });

  test('encoding refuses an event it could not decode again', () => {
    assert.throws(
      () =>
        encodeStructured(
          orderCreated({ traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
        ),
      (err: unknown) => err instanceof ValidationError && err.issues.some((i) => i.path === '/traceparent'),
    );
    assert.throws(() => dataschemaFor('order.created', 0), ValidationError);
  });
});
