import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { eventually } from '../helpers.js';
import { apiFixture, cloudEvent } from './fixture.js';

const f = await apiFixture();
const doc = (await f.call(undefined, 'GET', '/openapi.json')).body;

test('the OpenAPI document is valid OpenAPI 3.1', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const result = await new Validator().validate(doc);
  assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2));
  assert.equal(result.valid, true);
});

test('every route that needs a key declares the security schemes; every POST its Idempotency-Key', () => {
  for (const [path, ops] of Object.entries(
    doc.paths as Record<string, Record<string, Record<string, unknown>>>,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      const open = ['/health', '/ready', '/asyncapi.json'].includes(path);
      assert.equal(Boolean(op.security), !open, `${method} ${path} security`);
      if (method === 'post') {
        const params = (op.parameters ?? []) as Array<{ in: string; name: string }>;
        assert.ok(
          params.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
          `${method} ${path} documents Idempotency-Key`,
        );
      }
      if (!open) {
        const problem = (op.responses as Record<string, { content?: Record<string, unknown> }>)['403'];
        assert.ok(problem?.content?.['application/problem+json'], `${method} ${path} documents problem+json`);
      }
    }
  }
});

test('responses match the schemas the document declares for them', async () => {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'doc', components: doc.components });
  const check = (path: string, method: string, status: number, body: unknown, type = 'application/json') => {
    const schema = doc.paths[path][method].responses[String(status)]?.content?.[type]?.schema;
    assert.ok(schema, `${method} ${path} documents ${status} ${type}`);
    const refFixed = JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"doc#/components'));
    const validate = ajv.compile(refFixed);
    assert.ok(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`);
  };
  const { call, admin, engine } = f;
  const run = await engine.startRun('test.approval', { role: 'finance', amount: 1 });
  await eventually(async () => (await engine.listTasks({ runId: run.id })).length > 0);
  await call(admin, 'POST', '/v1/events', [
    cloudEvent('order.created'),
    cloudEvent('order.created', { data: 1 }),
  ]);
  const gets: Array<[string, string]> = [
    ['/v1/workflows', '/v1/workflows'],
    ['/v1/runs', '/v1/runs'],
    ['/v1/runs/{id}', `/v1/runs/${run.id}`],
    ['/v1/tasks', '/v1/tasks'],
    ['/v1/contracts', '/v1/contracts'],
    ['/v1/contracts/{type}', '/v1/contracts/order.created'],
    ['/v1/contracts/{type}/versions/{version}', '/v1/contracts/order.created/versions/1'],
    ['/v1/quarantine', '/v1/quarantine'],
    ['/v1/keys', '/v1/keys'],
    ['/v1/audit', '/v1/audit'],
    ['/v1/audit/verify', '/v1/audit/verify'],
    ['/health', '/health'],
    ['/ready', '/ready'],
  ];
  for (const [path, url] of gets) {
    const r = await call(admin, 'GET', url);
    assert.equal(r.status, 200, `${url}: ${r.text}`);
    check(path, 'get', 200, r.body);
  }
  const ingest = await call(admin, 'POST', '/v1/events', cloudEvent('order.created', { data: 'x' }), {
    'content-type': 'application/cloudevents+json',
  });
  check('/v1/events', 'post', 202, ingest.body);
  const missing = await call(admin, 'GET', '/v1/runs/nope');
  check('/v1/runs/{id}', 'get', 404, missing.body, 'application/problem+json');
  const bad = await call(admin, 'GET', '/v1/runs?limit=0');
  check('/v1/runs', 'get', 400, bad.body, 'application/problem+json');
});
