import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUILTIN_MAPPINGS_DIR, signBody } from '../../src/connectors/index.js';
import { compileConfig } from '../../src/core/index.js';
import { apiFixture } from './fixture.js';

const SHOP_SECRET = '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';
const MEDUSA_SECRET = 'medusa-webhook-secret-0123456789';

const fixtureInput = (file: string, index = 0) =>
  (
    JSON.parse(readFileSync(join(BUILTIN_MAPPINGS_DIR, file), 'utf8')) as {
      fixtures: Array<{ input: unknown }>;
    }
  ).fixtures[index]!.input as Record<string, unknown>;

const f = await apiFixture({
  config: {
    webhooks: {
      shopify: { 'lisbon-shop': { secret: SHOP_SECRET } },
      medusa: { 'berlin-store': { secret: MEDUSA_SECRET }, 'keyed-store': {} },
    },
  },
});

let deliveries = 0;
function shopify(
  order: unknown,
  over: { body?: string; signature?: string; headers?: Record<string, string> } = {},
) {
  const body = over.body ?? JSON.stringify(order);
  const id = `b1f4c7a2-${process.pid}-${++deliveries}`;
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': id,
      'x-shopify-shop-domain': 'baton-demo.myshopify.com',
      'x-shopify-hmac-sha256': over.signature ?? signBody(SHOP_SECRET, body, 'base64'),
      ...over.headers,
    },
    id,
  };
}

const post = (url: string, d: { body: string; headers: Record<string, string> }, key?: string) =>
  f.call(key, 'POST', url, d.body, d.headers);

test('a signed Shopify orders/create is mapped to order.created and kept; a redelivery is a duplicate', async () => {
  const order = fixtureInput('shopify-orders-create.v1.json');
  const d = shopify(order);
  const r = await post('/v1/webhooks/shopify/lisbon-shop', d);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'accepted');
  assert.equal(r.body.id, d.id);
  const kept = await f.governance.getIngested('/shopify/lisbon-shop', d.id);
  assert.ok(kept, 'the event is stored');
  assert.equal(kept.type, 'order.created');
  assert.equal(kept.subject, 'SHP-5512345678901');
  assert.equal(kept.publishedBy, 'webhook:shopify/lisbon-shop');
  assert.equal((kept.data as { sourceDocument: { number: string } }).sourceDocument.number, '#1001');
  assert.equal(kept.extensions?.shopdomain, 'baton-demo.myshopify.com');

  const again = await post('/v1/webhooks/shopify/lisbon-shop', d);
  assert.equal(again.status, 202, again.text);
  assert.equal(again.body.status, 'duplicate');
});

test('a tampered body, a wrong or a missing signature is refused with 401 and nothing is stored', async () => {
  const order = fixtureInput('shopify-orders-create.v1.json');
  const held = (await f.governance.listQuarantined({})).length;
  const signed = shopify(order);
  const tampered = { ...signed, body: signed.body.replace('"44.70"', '"0.01"') };
  assert.notEqual(tampered.body, signed.body);
  const cases = [
    tampered,
    shopify(order, { signature: signBody('another-secret-of-some-length', JSON.stringify(order), 'base64') }),
    shopify(order, { signature: 'not base64!' }),
  ];
  const missing = shopify(order);
  delete (missing.headers as Record<string, string | undefined>)['x-shopify-hmac-sha256'];
  cases.push(missing);
  for (const d of cases) {
    const r = await post('/v1/webhooks/shopify/lisbon-shop', d);
    assert.equal(r.status, 401, r.text);
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.match(r.body.detail, /X-Shopify-Hmac-Sha256/);
    assert.equal(await f.governance.getIngested('/shopify/lisbon-shop', d.id), undefined);
  }
  assert.equal((await f.governance.listQuarantined({})).length, held, 'nothing quarantined either');
});

test('an unconfigured shop is 404, a wrong topic or no webhook id is 400', async () => {
  const order = fixtureInput('shopify-orders-create.v1.json');
  assert.equal((await post('/v1/webhooks/shopify/unknown-shop', shopify(order))).status, 404);
  const topic = await post(
    '/v1/webhooks/shopify/lisbon-shop',
    shopify(order, { headers: { 'x-shopify-topic': 'orders/paid' } }),
  );
  assert.equal(topic.status, 400);
  assert.match(topic.body.detail, /orders\/paid/);
  const noId = shopify(order);
  delete (noId.headers as Record<string, string | undefined>)['x-shopify-webhook-id'];
  assert.equal((await post('/v1/webhooks/shopify/lisbon-shop', noId)).status, 400);
});

test('a signed order that breaks the contract is quarantined with the mapping named', async () => {
  const order = { ...fixtureInput('shopify-orders-create.v1.json'), email: 'not-an-email' };
  const d = shopify(order);
  const r = await post('/v1/webhooks/shopify/lisbon-shop', d);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'quarantined');
  assert.match(
    r.body.reason,
    /^mapping shopify-orders-create v1: output does not match the contract order.created/,
  );
  const entry = await f.governance.getQuarantined(r.body.quarantineId);
  assert.equal(entry?.eventId, d.id);
  assert.ok(
    entry?.issues.some((i) => i.path === '/data/customer/email'),
    JSON.stringify(entry?.issues),
  );
  assert.equal(await f.governance.getIngested('/shopify/lisbon-shop', d.id), undefined);
});

test('a Medusa order.placed with a valid signature is accepted; a bad signature is 401', async () => {
  const body = JSON.stringify(fixtureInput('medusa-order-placed.v1.json'));
  const headers = {
    'content-type': 'application/json',
    'x-medusa-signature': `sha256=${signBody(MEDUSA_SECRET, body, 'hex')}`,
  };
  const r = await f.call(undefined, 'POST', '/v1/webhooks/medusa/berlin-store', body, headers);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'accepted');
  assert.equal(r.body.id, 'order.placed:order_01HV8Z3K4M5N6P7Q8R9S0T1U2V');
  const kept = await f.governance.getIngested('/medusa/berlin-store', r.body.id);
  assert.equal((kept!.data as { orderId: string }).orderId, 'MED-01HV8Z3K4M5N6P7Q8R9S0T1U2V');
  assert.deepEqual((kept!.data as { totals: { grandTotal: unknown } }).totals.grandTotal, {
    amount: '85.95',
    currency: 'EUR',
  });
  const again = await f.call(undefined, 'POST', '/v1/webhooks/medusa/berlin-store', body, headers);
  assert.equal(again.body.status, 'duplicate');

  const forged = await f.call(
    undefined,
    'POST',
    '/v1/webhooks/medusa/berlin-store',
    body.replace('8595', '1'),
    headers,
  );
  assert.equal(forged.status, 401, forged.text);
});

test('a Medusa source without a secret takes an API key that may publish order.created instead', async () => {
  const input = fixtureInput('medusa-order-placed.v1.json', 1);
  const body = JSON.stringify(input);
  const url = '/v1/webhooks/medusa/keyed-store';
  assert.equal((await f.call(undefined, 'POST', url, body)).status, 401);
  const finance = await f.keyFor(['approver:finance']);
  assert.equal((await f.call(finance, 'POST', url, body)).status, 403);
  const integrator = await f.keyFor(['integrator'], [], 'svc:medusa-bridge');
  const r = await f.call(integrator, 'POST', url, body, { 'x-medusa-event-id': 'evt_01HV9A' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.status, 'accepted');
  const kept = await f.governance.getIngested('/medusa/keyed-store', 'evt_01HV9A');
  assert.equal(kept?.publishedBy, 'svc:medusa-bridge');
  assert.deepEqual((kept!.data as { lines: Array<{ unitPrice: unknown }> }).lines[0]!.unitPrice, {
    amount: '1200',
    currency: 'JPY',
  });
});

test('webhook secrets are checked when the configuration is compiled, without echoing them', () => {
  assert.throws(
    () => compileConfig({ webhooks: { shopify: { 'lisbon-shop': { secret: 'short-secret' } } } }),
    (err: Error) =>
      /webhooks\.shopify\.lisbon-shop\.secret must be a string of at least 16/.test(err.message) &&
      !err.message.includes('short-secret'),
  );
  assert.throws(
    () => compileConfig({ webhooks: { shopify: { 'Bad Name': { secret: SHOP_SECRET } } } }),
    /source name/,
  );
  assert.throws(
    () => compileConfig({ webhooks: { medusa: { x: { secret: SHOP_SECRET, extra: 1 } as never } } }),
    /unknown setting "webhooks.medusa.x.extra"/,
  );
});

test('webhooks are public to the key check but limited per source', async () => {
  const limited = await apiFixture({
    config: { webhooks: { rateLimitPerMinute: 2, shopify: { 'lisbon-shop': { secret: SHOP_SECRET } } } },
  });
  const order = fixtureInput('shopify-orders-create.v1.json');
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++)
    statuses.push(
      (
        await limited.call(
          undefined,
          'POST',
          '/v1/webhooks/shopify/lisbon-shop',
          shopify(order).body,
          shopify(order).headers,
        )
      ).status,
    );
  assert.deepEqual(
    statuses.slice(0, 2).map((s) => s !== 429),
    [true, true],
  );
  assert.equal(statuses[2], 429);
});
