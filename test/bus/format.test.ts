import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consumerName,
  encodeToken,
  fromCloudEvent,
  subjectFor,
  toCloudEvent,
  typeFilter,
} from '../../src/bus/index.js';
import { ValidationError } from '../../src/core/index.js';

test('subjects keep the type dots, end in exactly one key token and encode what NATS would misread', () => {
  assert.equal(
    subjectFor('baton.events', 'order.confirmed', 'SO-1001'),
    'baton.events.order.confirmed.SO-1001',
  );
  assert.equal(subjectFor('baton.events', 'stock.low'), 'baton.events.stock.low._');
  assert.equal(subjectFor('baton.events', 'stock.low', '_'), 'baton.events.stock.low.%5F');
  assert.equal(subjectFor('p', 'a', 'SO 1.2*>%'), 'p.a.SO%201%2E2%2A%3E%25');
  for (const key of ['SO 1.2*>%', 'tab\there', 'ünïcødé', 'a.b.c'])
    assert.equal(decodeURIComponent(encodeToken(key)), key);
  assert.doesNotMatch(encodeToken('x y.z*>\n'), /[\s.*>]/);
  assert.equal(typeFilter('baton.events', 'order.confirmed'), 'baton.events.order.confirmed.*');
  assert.doesNotMatch(consumerName('baton-inbound', 'baton.events.>'), /[.*>\s]/);
});

test('events travel as CloudEvents 1.0 and come back the same', () => {
  const e = {
    id: 'e1',
    type: 'order.confirmed',
    subject: 'SO-1',
    source: '/baton/runs/r1',
    time: 1_700_000_000_000,
    data: { a: 1 },
  };
  const ce = toCloudEvent(e);
  assert.deepEqual(ce, {
    specversion: '1.0',
    id: 'e1',
    type: 'com.baton.retail.order.confirmed',
    source: '/baton/runs/r1',
    subject: 'SO-1',
    time: '2023-11-14T22:13:20.000Z',
    datacontenttype: 'application/json',
    data: { a: 1 },
  });
  assert.deepEqual(fromCloudEvent(JSON.parse(JSON.stringify(ce)), 0), e);
  // a foreign type keeps its full name; a missing time falls back to the receipt time
  const foreign = fromCloudEvent(
    { specversion: '1.0', id: 'x', type: 'com.acme.wms.picked', source: 'wms' },
    42,
  );
  assert.equal(foreign.type, 'com.acme.wms.picked');
  assert.equal(foreign.time, 42);
  assert.equal(foreign.data, null);
});

test('a malformed CloudEvent is refused with every problem and where it is', () => {
  assert.throws(() => fromCloudEvent([1], 0), /expected a JSON object/);
  assert.throws(
    () =>
      fromCloudEvent(
        { specversion: '0.3', type: '', source: 's', time: 'yesterday', data_base64: 'AA==' },
        0,
      ),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ['/specversion', '/id', '/type', '/time', '/data_base64'],
      );
      return true;
    },
  );
});
