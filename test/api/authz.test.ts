import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signBody } from '../../src/connectors/index.js';
import { RuleGovernance } from '../../src/rules/index.js';
import { eventually } from '../helpers.js';
import { apiFixture, cloudEvent } from './fixture.js';

/**
 * Every route against every role: a hand-written table of who may call what, checked against the
 * running API. "Allowed" means the request got past authorisation (it may still fail for another
 * reason, say a 409); "denied" means 403. Without a key every non-public route is 401.
 */
const WEBHOOK_SECRET = 'authz-webhook-secret-0123456789';
const f = await apiFixture({
  config: {
    webhooks: {
      shopify: { 'authz-shop': { secret: WEBHOOK_SECRET } },
      medusa: { 'authz-medusa': { secret: WEBHOOK_SECRET }, 'authz-keyed': {} },
    },
  },
});
const { call, admin, engine, governance } = f;

const ROLES = [
  'admin',
  'integrator',
  'integrator order.* only',
  'operator',
  'approver:finance',
  'approver:merchandising',
  'approver:warehouse',
  'approver:store-operations',
  'approver:rules',
] as const;
type Who = (typeof ROLES)[number];

const keys: Record<Who, string> = {
  admin,
  integrator: await f.keyFor(['integrator']),
  'integrator order.* only': await f.keyFor(['integrator'], ['events:publish:order.*']),
  operator: await f.keyFor(['operator']),
  'approver:finance': await f.keyFor(['approver:finance']),
  'approver:merchandising': await f.keyFor(['approver:merchandising']),
  'approver:warehouse': await f.keyFor(['approver:warehouse']),
  'approver:store-operations': await f.keyFor(['approver:store-operations']),
  'approver:rules': await f.keyFor(['approver:rules']),
};

// records the routes act on
const run = await engine.startRun('test.approval', { role: 'finance', amount: 10 });
const [task] = await eventually(async () => {
  const l = await engine.listTasks({ runId: run.id });
  return l.length ? l : undefined;
});
const ingest = await call(admin, 'POST', '/v1/events', cloudEvent('order.created', { data: {} }), {
  'content-type': 'application/cloudevents+json',
});
const held = ingest.body.results[0].quarantineId as string;
const letter = await f.store.connectors.addDeadLetter({
  kind: 'call',
  system: 'erp',
  operation: 'checkCredit',
  payload: { customerId: 'C-1', amount: 5 },
  error: { message: 'erp answered 503', retryable: true },
  attempts: [],
  createdAt: Date.now(),
});
const spare = await f.keyFor(['approver:finance']);
const spareId = (await governance.listApiKeys()).find((k) => k.prefix === spare.slice(0, 11))!.id;
const sunset = new Date(Date.now() + 86_400_000).toISOString();
const counted = { type: 'object', properties: { n: { type: 'integer' } } };
const governed = new RuleGovernance({ store: f.store });
await governed.seedDefaults();
const transferV1 = (await governed.version('transfer_policy')).model;
const proposeEdit = async (limit: number) => {
  const defs = structuredClone(transferV1);
  defs.decisions[0]!.rules[1]!.inputEntries[0] = `<= ${limit}`;
  return (await governed.propose(defs, { name: 'user:author' })).draft.id;
};
const toApprove = await proposeEdit(600);
const toReject = await proposeEdit(700);

const everyone = [...ROLES];
const A = 'admin';
const I = 'integrator';
const IO = 'integrator order.* only';
const O = 'operator';
const F = 'approver:finance';
const M = 'approver:merchandising';
const R = 'approver:rules';
const RULE_READERS = [A, I, IO, O, F, M, R] as const;
const RULE_PROPOSERS = [A, O, F, M] as const;

interface Case {
  route: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  allowed: readonly Who[];
  public?: boolean;
}

const cases: Case[] = [
  { route: 'GET /health', url: '/health', allowed: everyone, public: true },
  { route: 'GET /ready', url: '/ready', allowed: everyone, public: true },
  { route: 'GET /asyncapi.json', url: '/asyncapi.json', allowed: everyone, public: true },
  { route: 'GET /openapi.json', url: '/openapi.json', allowed: everyone, public: true },
  { route: 'GET /docs', url: '/docs', allowed: everyone, public: true },
  { route: 'GET /v1/workflows', url: '/v1/workflows', allowed: [A, I, IO, O] },
  {
    route: 'POST /v1/workflows/{name}/runs',
    url: '/v1/workflows/test.posting/runs',
    body: {},
    allowed: [A, I, IO, O],
  },
  { route: 'GET /v1/runs', url: '/v1/runs', allowed: [A, I, IO, O] },
  { route: 'GET /v1/runs/{id}', url: `/v1/runs/${run.id}`, allowed: [A, I, IO, O] },
  { route: 'POST /v1/runs/{id}/retry', url: `/v1/runs/${run.id}/retry`, allowed: [A, O] },
  {
    route: 'POST /v1/runs/{id}/restart',
    url: `/v1/runs/${run.id}/restart`,
    body: { from: 99 },
    allowed: [A, O],
  },
  { route: 'GET /v1/tasks', url: '/v1/tasks?role=finance', allowed: [A, O, F] },
  { route: 'GET /v1/tasks', url: '/v1/tasks?role=pricing', allowed: [A, O, M] },
  { route: 'GET /v1/tasks', url: '/v1/tasks?role=warehouse', allowed: [A, O, 'approver:warehouse'] },
  {
    route: 'GET /v1/tasks',
    url: '/v1/tasks?role=store-operations',
    allowed: [A, O, 'approver:store-operations'],
  },
  { route: 'GET /v1/tasks', url: '/v1/tasks', allowed: [A, O] },
  { route: 'GET /v1/tasks/{id}', url: `/v1/tasks/${task!.id}`, allowed: [A, O, F] },
  { route: 'POST /v1/tasks/{id}/claim', url: `/v1/tasks/${task!.id}/claim`, allowed: [A, F] },
  {
    route: 'POST /v1/tasks/{id}/complete',
    url: `/v1/tasks/${task!.id}/complete`,
    body: { outcome: 'not-an-outcome' },
    allowed: [A, F],
  },
  {
    route: 'POST /v1/tasks/{id}/delegate',
    url: `/v1/tasks/${task!.id}/delegate`,
    body: { to: 'user:dana' },
    allowed: [A, O, F],
  },
  {
    route: 'POST /v1/events',
    url: '/v1/events',
    body: cloudEvent('order.created'),
    headers: { 'content-type': 'application/cloudevents+json' },
    allowed: [A, I, IO],
  },
  {
    route: 'POST /v1/events',
    url: '/v1/events',
    body: cloudEvent('price.changed'),
    headers: { 'content-type': 'application/cloudevents+json' },
    allowed: [A, I],
  },
  { route: 'GET /v1/quarantine', url: '/v1/quarantine', allowed: [A, I, IO, O] },
  { route: 'GET /v1/quarantine/{id}', url: `/v1/quarantine/${held}`, allowed: [A, I, IO, O] },
  {
    route: 'PUT /v1/quarantine/{id}',
    url: `/v1/quarantine/${held}`,
    body: { payload: {} },
    allowed: [A, I, IO, O],
  },
  { route: 'POST /v1/quarantine/{id}/replay', url: `/v1/quarantine/${held}/replay`, allowed: [A, I, IO, O] },
  {
    route: 'POST /v1/quarantine/{id}/discard',
    url: '/v1/quarantine/no-such-entry/discard',
    allowed: [A, I, IO, O],
  },
  { route: 'GET /v1/contracts', url: '/v1/contracts', allowed: [A, I, IO, O] },
  { route: 'GET /v1/contracts/{type}', url: '/v1/contracts/order.created', allowed: [A, I, IO, O] },
  {
    route: 'GET /v1/contracts/{type}/versions/{version}',
    url: '/v1/contracts/order.created/versions/1',
    allowed: [A, I, IO, O],
  },
  {
    route: 'POST /v1/contracts/{type}/versions',
    url: '/v1/contracts/test.authz/versions',
    body: { schema: counted, owner: 'test', description: 'authorisation table' },
    allowed: [A, I, IO],
  },
  {
    route: 'POST /v1/contracts/diff',
    url: '/v1/contracts/diff',
    body: { oldSchema: counted, newSchema: counted },
    allowed: [A, I, IO, O],
  },
  {
    route: 'POST /v1/contracts/{type}/deprecate',
    url: '/v1/contracts/test.authz/deprecate',
    body: { sunsetAt: sunset },
    allowed: [A, I, IO],
  },
  { route: 'GET /v1/keys', url: '/v1/keys', allowed: [A] },
  { route: 'POST /v1/keys', url: '/v1/keys', body: { name: 'made', roles: ['operator'] }, allowed: [A] },
  { route: 'POST /v1/keys/{id}/revoke', url: `/v1/keys/${spareId}/revoke`, allowed: [A] },
  { route: 'GET /v1/audit', url: '/v1/audit', allowed: [A, O] },
  { route: 'GET /v1/audit/verify', url: '/v1/audit/verify', allowed: [A, O] },
  { route: 'GET /v1/connectors', url: '/v1/connectors', allowed: [A, I, IO, O] },
  { route: 'GET /v1/connectors/{system}/calls', url: '/v1/connectors/erp/calls', allowed: [A, I, IO, O] },
  { route: 'GET /v1/dlq', url: '/v1/dlq', allowed: [A, I, IO, O] },
  { route: 'GET /v1/dlq/{id}', url: `/v1/dlq/${letter.id}`, allowed: [A, I, IO, O] },
  {
    route: 'PUT /v1/dlq/{id}',
    url: `/v1/dlq/${letter.id}`,
    body: { payload: { customerId: 'C-1', amount: 6 } },
    allowed: [A, I, IO, O],
  },
  // no connector registry in this fixture: an allowed replay is refused with 409
  { route: 'POST /v1/dlq/{id}/replay', url: `/v1/dlq/${letter.id}/replay`, allowed: [A, I, IO, O] },
  { route: 'POST /v1/dlq/{id}/discard', url: '/v1/dlq/no-such-entry/discard', allowed: [A, I, IO, O] },
  { route: 'GET /v1/rule-sets', url: '/v1/rule-sets', allowed: RULE_READERS },
  { route: 'GET /v1/rule-sets/{set}', url: '/v1/rule-sets/transfer_policy', allowed: RULE_READERS },
  {
    route: 'GET /v1/rule-sets/{set}/versions/{version}',
    url: '/v1/rule-sets/transfer_policy/versions/1',
    allowed: RULE_READERS,
  },
  {
    route: 'POST /v1/rule-sets/{set}/drafts',
    url: '/v1/rule-sets/transfer_policy/drafts',
    body: { definitions: transferV1 },
    allowed: RULE_PROPOSERS,
  },
  { route: 'GET /v1/rule-drafts', url: '/v1/rule-drafts', allowed: RULE_READERS },
  { route: 'GET /v1/rule-drafts/{id}', url: `/v1/rule-drafts/${toApprove}`, allowed: RULE_READERS },
  {
    route: 'POST /v1/rule-drafts/{id}/approve',
    url: `/v1/rule-drafts/${toApprove}/approve`,
    allowed: [A, R],
  },
  {
    route: 'POST /v1/rule-drafts/{id}/reject',
    url: `/v1/rule-drafts/${toReject}/reject`,
    body: { reason: 'authorisation table' },
    allowed: [A, R],
  },
  {
    route: 'GET /v1/decisions/{decision}/active',
    url: '/v1/decisions/transfer-approval/active?region=north',
    allowed: RULE_READERS,
  },
  {
    route: 'GET /v1/decisions/{decision}/overrides',
    url: '/v1/decisions/transfer-approval/overrides',
    allowed: RULE_READERS,
  },
  {
    route: 'POST /v1/decisions/{decision}/overrides/{region}',
    url: '/v1/decisions/transfer-approval/overrides/north',
    body: { table: null },
    allowed: RULE_PROPOSERS,
  },
  // webhooks authenticate by signature: public to the key check (a keyless Medusa source takes a key)
  {
    route: 'POST /v1/webhooks/shopify/{source}',
    url: '/v1/webhooks/shopify/authz-shop',
    body: '{"id":1}',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'authz-delivery-1',
      'x-shopify-hmac-sha256': signBody(WEBHOOK_SECRET, '{"id":1}', 'base64'),
    },
    allowed: everyone,
    public: true,
  },
  {
    route: 'POST /v1/webhooks/medusa/{source}',
    url: '/v1/webhooks/medusa/authz-medusa',
    body: '{"event":"order.placed","data":{"id":"order_01AUTHZ"}}',
    headers: {
      'content-type': 'application/json',
      'x-medusa-signature': `sha256=${signBody(WEBHOOK_SECRET, '{"event":"order.placed","data":{"id":"order_01AUTHZ"}}', 'hex')}`,
    },
    allowed: everyone,
    public: true,
  },
  {
    route: 'POST /v1/webhooks/medusa/{source}',
    url: '/v1/webhooks/medusa/authz-keyed',
    body: '{"event":"order.placed","data":{"id":"order_01AUTHZKEY"}}',
    allowed: [A, I, IO],
  },
  {
    route: 'POST /v1/pos/batches',
    url: '/v1/pos/batches?source=authz-pos&store=ST-AUTHZ',
    body: 'receipt,sold_at,sku,quantity,unit_price,currency\nR-1,2026-03-02T10:00:00Z,CAP-RED,1,12.00,EUR\n',
    headers: { 'content-type': 'text/csv' },
    allowed: [A, I, IO],
  },
  // cancel last: it ends the run the task routes act on
  { route: 'POST /v1/runs/{id}/cancel', url: `/v1/runs/${run.id}/cancel`, allowed: [A, O] },
];

test('the table covers every documented route', async () => {
  const doc = (await call(undefined, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  const covered = new Set(cases.map((c) => c.route));
  assert.deepEqual(
    documented.filter((r) => !covered.has(r)),
    [],
    'routes missing from the authorisation table',
  );
});

for (const c of cases) {
  test(`${c.route} (${c.url.split('?')[1] ?? 'no query'})`, async () => {
    const method = c.route.split(' ')[0] as 'GET' | 'POST' | 'PUT';
    const outcomes: string[] = [];
    const anonymous = await call(undefined, method, c.url, c.body, c.headers);
    if (c.public) assert.notEqual(anonymous.status, 401, 'public without a key');
    else assert.equal(anonymous.status, 401, `without a key: ${anonymous.text}`);
    for (const who of ROLES) {
      const r = await call(keys[who], method, c.url, c.body, c.headers);
      assert.ok(r.status < 500, `${who}: ${r.status} ${r.text}`);
      const allowed = r.status !== 401 && r.status !== 403;
      outcomes.push(`${who}: ${allowed ? 'allowed' : 'denied'}`);
      if (!allowed) assert.equal(r.status, 403, `${who} denied with 403: ${r.text}`);
    }
    assert.deepEqual(
      outcomes,
      ROLES.map((who) => `${who}: ${c.allowed.includes(who) ? 'allowed' : 'denied'}`),
    );
  });
}
