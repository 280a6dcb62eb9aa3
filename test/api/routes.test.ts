import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HTTP, CloudEvent as SdkEvent } from 'cloudevents';
import { eventually } from '../helpers.js';
import { apiFixture, cloudEvent, erp, exampleOf, matchField, type Reply } from './fixture.js';

const f = await apiFixture();
const { call, admin, engine, governance } = f;

function assertProblem(r: Reply, status: number, detail?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.type, 'string');
  assert.equal(typeof r.body.title, 'string');
  assert.equal(typeof r.body.requestId, 'string');
  assert.ok(!/\n\s+at /.test(r.text), 'no stack trace');
  if (detail) assert.match(r.body.detail, detail);
}

describe('health and documents', () => {
  test('health and readiness need no key; the documents are served', async () => {
    assert.deepEqual((await call(undefined, 'GET', '/health')).body, { status: 'ok' });
    assert.deepEqual((await call(undefined, 'GET', '/ready')).body, { status: 'ready', database: 'ok' });
    const doc = await call(undefined, 'GET', '/openapi.json');
    assert.equal(doc.body.openapi, '3.1.0');
    const docs = await call(undefined, 'GET', '/docs');
    assert.equal(docs.status, 200);
    assert.match(docs.text, /swagger/i);
    const asyncapi = await call(undefined, 'GET', '/asyncapi.json');
    assert.match(String(asyncapi.body.asyncapi), /^3\./);
  });

  test('unknown routes, missing and unknown keys are problems', async () => {
    assertProblem(await call(admin, 'GET', '/v1/nowhere'), 404, /no route/);
    assertProblem(await call(undefined, 'GET', '/v1/runs'), 401, /API key is required/);
    assertProblem(await call(`bk_00000000_${'A'.repeat(43)}`, 'GET', '/v1/runs'), 401, /not known/);
    assertProblem(await call('nonsense', 'GET', '/v1/runs'), 401, /malformed/);
    const viaHeader = await f.app.inject({
      method: 'GET',
      url: '/v1/workflows',
      headers: { 'x-api-key': admin },
    });
    assert.equal(viaHeader.statusCode, 200);
  });
});

describe('events', () => {
  test('a structured CloudEvent is accepted durably and is idempotent on source and id', async () => {
    const ev = cloudEvent('order.created');
    const r = await call(admin, 'POST', '/v1/events', ev, { 'content-type': 'application/cloudevents+json' });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.accepted, 1);
    assert.equal(r.body.results[0].status, 'accepted');
    assert.equal(r.body.results[0].contractVersion, 1);
    const kept = await governance.getIngested(String(ev.source), String(ev.id));
    assert.deepEqual(kept?.data, ev.data);
    assert.equal(kept?.publishedBy, 'admin');
    const again = await call(admin, 'POST', '/v1/events', ev, {
      'content-type': 'application/cloudevents+json',
    });
    assert.equal(again.body.duplicates, 1);
    assert.equal(again.body.results[0].status, 'duplicate');
  });

  test('binary and structured events made by the cloudevents SDK are accepted', async () => {
    for (const encode of [HTTP.binary, HTTP.structured]) {
      const ce = new SdkEvent({
        id: `sdk-${encode.name}-${Date.now()}`,
        source: '/test/sdk',
        type: 'com.baton.retail.order.created',
        subject: 'SO-SDK',
        datacontenttype: 'application/json',
        data: exampleOf('order.created'),
        correlationid: 'corr-1',
      });
      const message = encode(ce);
      const r = await call(
        admin,
        'POST',
        '/v1/events',
        String(message.body),
        message.headers as Record<string, string>,
      );
      assert.equal(r.status, 202, r.text);
      assert.equal(r.body.results[0].status, 'accepted', r.text);
      const kept = await governance.getIngested('/test/sdk', ce.id);
      assert.equal(kept?.subject, 'SO-SDK');
      assert.equal(kept?.extensions?.correlationid, 'corr-1');
    }
  });

  test('plain JSON events are accepted, single and in batches', async () => {
    const plain = {
      type: 'order.created',
      source: '/test/plain',
      id: `p-${Date.now()}`,
      data: exampleOf('order.created'),
    };
    const one = await call(admin, 'POST', '/v1/events', plain);
    assert.equal(one.body.accepted, 1, one.text);
    const many = await call(admin, 'POST', '/v1/events', [
      { ...plain, id: `${plain.id}-a` },
      { ...plain, id: `${plain.id}-b` },
    ]);
    assert.equal(many.body.accepted, 2, many.text);
  });

  test('a batch is accepted in part: invalid events go to quarantine with the reasons', async () => {
    const good = cloudEvent('order.created');
    const badData = cloudEvent('order.created', { data: { nonsense: true } });
    const unknownType = cloudEvent('order.created', { type: 'com.baton.retail.no.such.type' });
    const malformed = { specversion: '1.0', type: 'com.baton.retail.order.created', data: {} };
    const r = await call(admin, 'POST', '/v1/events', [good, badData, unknownType, malformed], {
      'content-type': 'application/cloudevents-batch+json',
    });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(
      r.body.results.map((x: { status: string }) => x.status),
      ['accepted', 'quarantined', 'quarantined', 'quarantined'],
    );
    assert.deepEqual([r.body.accepted, r.body.quarantined], [1, 3]);
    const bad = r.body.results[1];
    assert.ok(bad.issues.length > 0);
    assert.ok(
      bad.issues.every((i: { path: string }) => i.path.startsWith('/data')),
      JSON.stringify(bad.issues),
    );
    assert.match(r.body.results[3].reason, /malformed/);
    assert.ok(r.body.results[3].issues.some((i: { path: string }) => i.path === '/id'));
    const held = await governance.getQuarantined(bad.quarantineId);
    assert.equal(held?.status, 'held');
    assert.deepEqual(held?.payload, badData);
    assert.equal(await governance.getIngested(String(badData.source), String(badData.id)), undefined);
  });

  test('the event names its contract version with dataschema; a wrong one is quarantined', async () => {
    const named = cloudEvent('order.created', { dataschema: 'urn:baton:contract:order.created:v1' });
    const r = await call(admin, 'POST', '/v1/events', named, {
      'content-type': 'application/cloudevents+json',
    });
    assert.equal(r.body.results[0].status, 'accepted', r.text);
    const missing = cloudEvent('order.created', { dataschema: 'urn:baton:contract:order.created:v99' });
    const m = await call(admin, 'POST', '/v1/events', missing, {
      'content-type': 'application/cloudevents+json',
    });
    assert.equal(m.body.results[0].status, 'quarantined', m.text);
  });

  test('request-level problems: bad JSON, wrong media type, empty and oversized batches', async () => {
    assertProblem(await call(admin, 'POST', '/v1/events', '{nope'), 400, /JSON/);
    assertProblem(
      await call(admin, 'POST', '/v1/events', 'hello', { 'content-type': 'text/plain' }),
      415,
      /text\/plain/,
    );
    assertProblem(await call(admin, 'POST', '/v1/events', []), 400, /empty/);
    const big = Array.from({ length: 1001 }, () => cloudEvent('order.created'));
    assertProblem(await call(admin, 'POST', '/v1/events', big), 413, /at most 1000/);
    const huge = JSON.stringify({
      type: 'order.created',
      source: 's',
      id: 'x',
      data: 'x'.repeat(6 * 1024 * 1024),
    });
    assertProblem(await call(admin, 'POST', '/v1/events', huge), 413);
  });

  test('an accepted event completes the wait it matches', async () => {
    // a value no earlier event carried, so only this event can match (waits look back an hour)
    const { path } = matchField('order.created');
    const value = `SO-${Date.now()}`;
    const run = await engine.startRun('test.waiter', { type: 'order.created', path, value });
    await eventually(async () => (await engine.getRun(run.id)).status === 'waiting');
    const ev = cloudEvent('order.created', { data: { ...exampleOf('order.created'), [path]: value } });
    const r = await call(admin, 'POST', '/v1/events', ev, { 'content-type': 'application/cloudevents+json' });
    assert.equal(r.body.accepted, 1, r.text);
    const done = await engine.waitForRun(run.id, 10_000);
    assert.equal(done.output, 'received');
  });
});

describe('quarantine', () => {
  test('list, read, correct and replay an event; then it is accepted', async () => {
    const bad = cloudEvent('order.created', { data: { nonsense: true } });
    const r = await call(admin, 'POST', '/v1/events', bad, {
      'content-type': 'application/cloudevents+json',
    });
    const id = r.body.results[0].quarantineId;
    const list = await call(admin, 'GET', '/v1/quarantine?status=held&limit=500');
    assert.ok(list.body.items.some((e: { id: string }) => e.id === id));
    const one = await call(admin, 'GET', `/v1/quarantine/${id}`);
    assert.equal(one.body.eventId, bad.id);

    const failed = await call(admin, 'POST', `/v1/quarantine/${id}/replay`);
    assertProblem(failed, 422, /still fails/);
    assert.ok(failed.body.errors.length > 0);
    assert.equal((await governance.getQuarantined(id))?.attempts.length, 1);

    const fixed = await call(admin, 'PUT', `/v1/quarantine/${id}`, {
      payload: { ...bad, data: exampleOf('order.created') },
    });
    assert.equal(fixed.status, 200, fixed.text);
    const replayed = await call(admin, 'POST', `/v1/quarantine/${id}/replay`);
    assert.equal(replayed.status, 200, replayed.text);
    assert.equal(replayed.body.status, 'accepted');
    assert.equal(replayed.body.entry.status, 'replayed');
    assert.ok(await governance.getIngested(String(bad.source), String(bad.id)));
    assertProblem(await call(admin, 'POST', `/v1/quarantine/${id}/replay`), 409, /already replayed/);
    const audit = await governance.readAudit({ targetKind: 'quarantine', targetId: id });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['quarantine.replay_failed', 'quarantine.corrected', 'quarantine.replayed'],
    );
  });

  test('discard; unknown entries are 404', async () => {
    const r = await call(admin, 'POST', '/v1/events', cloudEvent('order.created', { data: 1 }), {
      'content-type': 'application/cloudevents+json',
    });
    const id = r.body.results[0].quarantineId;
    assert.equal((await call(admin, 'POST', `/v1/quarantine/${id}/discard`)).body.status, 'discarded');
    assertProblem(await call(admin, 'PUT', `/v1/quarantine/${id}`, { payload: {} }), 409);
    assertProblem(await call(admin, 'GET', '/v1/quarantine/nope'), 404);
  });
});

describe('contracts', () => {
  const schema = {
    type: 'object',
    properties: { sku: { type: 'string' }, qty: { type: 'integer' } },
    required: ['sku'],
  };

  test('list, get, register versions, refuse an incompatible one with its changes, diff and deprecate', async () => {
    const list = await call(admin, 'GET', '/v1/contracts');
    assert.ok(list.body.items.some((c: { type: string }) => c.type === 'order.created'));
    const created = await call(admin, 'POST', '/v1/contracts/test.counted/versions', {
      schema,
      owner: 'test-team',
      description: 'a count of a SKU',
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.version.version, 1);
    assert.equal(created.headers.location, '/v1/contracts/test.counted/versions/1');
    const same = await call(admin, 'POST', '/v1/contracts/test.counted/versions', { schema });
    assert.equal(same.status, 200);
    assert.equal(same.body.created, false);

    const breaking = { ...schema, required: ['sku', 'qty'] };
    const refused = await call(admin, 'POST', '/v1/contracts/test.counted/versions', { schema: breaking });
    assertProblem(refused, 409);
    assert.ok(Array.isArray(refused.body.changes) && refused.body.changes.length > 0, refused.text);

    const diff = await call(admin, 'POST', '/v1/contracts/diff', {
      type: 'test.counted',
      newSchema: breaking,
    });
    assert.equal(diff.status, 200, diff.text);
    assert.equal(diff.body.compatible, false);
    assert.equal(diff.body.mode, 'BACKWARD');
    const free = await call(admin, 'POST', '/v1/contracts/diff', {
      oldSchema: schema,
      newSchema: breaking,
      mode: 'NONE',
    });
    assert.equal(free.body.compatible, true);
    assertProblem(
      await call(admin, 'POST', '/v1/contracts/diff', { newSchema: schema }),
      400,
      /either oldSchema or the type/,
    );

    const v = await call(admin, 'GET', '/v1/contracts/test.counted/versions/latest');
    assert.deepEqual(v.body.schema, schema);
    const got = await call(admin, 'GET', '/v1/contracts/test.counted');
    assert.equal(got.body.contract.owner, 'test-team');
    assert.equal(got.body.versions.length, 1);

    const sunset = new Date(Date.now() + 86_400_000).toISOString();
    const dep = await call(admin, 'POST', '/v1/contracts/test.counted/deprecate', { sunsetAt: sunset });
    assert.equal(dep.status, 200, dep.text);
    assert.equal(dep.body.lifecycle, 'deprecated');
    assertProblem(await call(admin, 'GET', '/v1/contracts/no.such.type'), 404);
    const audit = await governance.readAudit({ targetKind: 'contract' });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['contract.registered', 'contract.deprecated'],
    );
  });

  test('a schema that is not a schema is a validation problem', async () => {
    const r = await call(admin, 'POST', '/v1/contracts/test.broken/versions', {
      schema: { type: 'no-such-type' },
      owner: 'x',
      description: 'y',
    });
    assertProblem(r, 400);
  });
});

describe('workflows and runs', () => {
  test('start a run, read it with its journal, search it by tag, cancel it', async () => {
    const wf = await call(admin, 'GET', '/v1/workflows');
    assert.ok(wf.body.items.some((w: { key: string }) => w.key === 'test.approval@1'));
    const started = await call(admin, 'POST', '/v1/workflows/test.approval/runs', {
      input: { role: 'finance', amount: 1200 },
      tags: { orderId: 'SO-API-1' },
    });
    assert.equal(started.status, 201, started.text);
    const id = started.body.id;
    assert.equal(started.headers.location, `/v1/runs/${id}`);
    await eventually(async () => (await engine.getRun(id)).status === 'waiting');
    const shown = await call(admin, 'GET', `/v1/runs/${id}`);
    assert.equal(shown.body.run.id, id);
    assert.equal(shown.body.journal[0].kind, 'task');
    assert.ok(shown.body.history.length > 0);
    const found = await call(
      admin,
      'GET',
      '/v1/runs?tag=orderId=SO-API-1&status=waiting&workflow=test.approval',
    );
    assert.deepEqual(
      found.body.items.map((r: { id: string }) => r.id),
      [id],
    );
    const cancelled = await call(admin, 'POST', `/v1/runs/${id}/cancel`, { reason: 'customer withdrew' });
    assert.equal(cancelled.body.status, 'cancelled', cancelled.text);
    const twice = await call(admin, 'POST', `/v1/runs/${id}/cancel`);
    assert.equal(twice.body.status, 'cancelled', 'cancelling twice is harmless');
    const audit = await governance.readAudit({ targetKind: 'run', targetId: id });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['run.started', 'run.cancelled', 'run.cancelled'],
    );
    assert.equal(audit[1]?.actor, 'admin');
    assert.deepEqual(audit[1]!.before, { status: 'waiting', cancelRequested: false, version: 1 });
  });

  test('bad starts are problems with pointers; unknown runs are 404', async () => {
    const bad = await call(admin, 'POST', '/v1/workflows/test.approval/runs', { input: { role: 7 } });
    assertProblem(bad, 400);
    assert.ok(
      bad.body.errors.some((e: { pointer: string }) => e.pointer === '/role'),
      bad.text,
    );
    assertProblem(await call(admin, 'POST', '/v1/workflows/test.nope/runs', { input: {} }), 404);
    const extra = await call(admin, 'POST', '/v1/workflows/test.approval/runs', { input: {}, colour: 'red' });
    assertProblem(extra, 400);
    assert.deepEqual(extra.body.errors[0].pointer, '/colour');
    assertProblem(await call(admin, 'GET', '/v1/runs/nope'), 404);
    const q = await call(admin, 'GET', '/v1/runs?limit=0&status=bogus');
    assertProblem(q, 400);
    assert.ok(q.body.errors.every((e: { in: string }) => e.in === 'query'));
  });

  test('retry a failed run and restart a completed one from a position', async () => {
    erp.up = false;
    const started = await call(admin, 'POST', '/v1/workflows/test.posting/runs', {});
    const id = started.body.id;
    assert.equal((await engine.waitForRun(id)).status, 'failed');
    erp.up = true;
    const retried = await call(admin, 'POST', `/v1/runs/${id}/retry`);
    assert.equal(retried.status, 200, retried.text);
    assert.equal((await engine.waitForRun(id)).status, 'completed');
    const posts = erp.posts;
    assertProblem(await call(admin, 'POST', `/v1/runs/${id}/restart`, {}), 400, /from/);
    const restarted = await call(admin, 'POST', `/v1/runs/${id}/restart`, { from: 1 });
    assert.equal(restarted.status, 200, restarted.text);
    assert.equal((await engine.waitForRun(id)).status, 'completed');
    assert.equal(erp.posts, posts + 1, 'only the step from position 1 ran again');
    assertProblem(await call(admin, 'POST', `/v1/runs/${id}/retry`), 409, /only failed runs/);
    assertProblem(await call(admin, 'POST', `/v1/runs/${id}/cancel`), 409, /completed/);
  });
});

describe('tasks', () => {
  test('the inbox by role; claim, delegate and complete; the run resumes', async () => {
    const started = await call(admin, 'POST', '/v1/workflows/test.approval/runs', {
      input: { role: 'finance', amount: 90 },
    });
    const runId = started.body.id;
    const [task] = await eventually(async () => {
      const l = await engine.listTasks({ runId });
      return l.length ? l : undefined;
    });
    const finance = await f.keyFor(['approver:finance'], [], 'user:frank');
    const inbox = await call(finance, 'GET', '/v1/tasks?role=finance');
    assert.ok(inbox.body.items.some((t: { id: string }) => t.id === task!.id));
    const claimed = await call(finance, 'POST', `/v1/tasks/${task!.id}/claim`);
    assert.equal(claimed.body.claimedBy, 'user:frank', claimed.text);
    const delegated = await call(finance, 'POST', `/v1/tasks/${task!.id}/delegate`, { to: 'user:ana' });
    assert.equal(delegated.body.assignee, 'user:ana', delegated.text);
    const badOutcome = await call(finance, 'POST', `/v1/tasks/${task!.id}/complete`, { outcome: 'maybe' });
    assertProblem(badOutcome, 400, /not allowed/);
    const badForm = await call(finance, 'POST', `/v1/tasks/${task!.id}/complete`, {
      outcome: 'approve',
      values: { comment: 'x'.repeat(50) },
    });
    assertProblem(badForm, 400);
    const done = await call(finance, 'POST', `/v1/tasks/${task!.id}/complete`, {
      outcome: 'approve',
      values: { comment: 'fine' },
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.decidedBy, 'user:frank');
    assert.equal((await engine.waitForRun(runId)).output, 'approve');
    assertProblem(await call(finance, 'POST', `/v1/tasks/${task!.id}/complete`, { outcome: 'approve' }), 409);
    const audit = await governance.readAudit({ targetKind: 'task', targetId: task!.id });
    assert.deepEqual(
      audit.map((a) => [a.action, a.actor]),
      [
        ['task.claimed', 'user:frank'],
        ['task.delegated', 'user:frank'],
        ['task.completed', 'user:frank'],
      ],
    );
    const after = audit[2]?.after as Record<string, unknown>;
    assert.deepEqual([after.status, after.outcome, after.decidedBy], ['completed', 'approve', 'user:frank']);
    assert.deepEqual(after.values, { comment: 'fine' });
    assert.equal((audit[2]!.before as Record<string, unknown>).assignee, 'user:ana');
  });

  test('a finance approver cannot see or decide a warehouse task', async () => {
    const started = await call(admin, 'POST', '/v1/workflows/test.approval/runs', {
      input: { role: 'warehouse', amount: 5 },
    });
    const [task] = await eventually(async () => {
      const l = await engine.listTasks({ runId: started.body.id });
      return l.length ? l : undefined;
    });
    const finance = await f.keyFor(['approver:finance']);
    assertProblem(await call(finance, 'GET', '/v1/tasks?role=warehouse'), 403);
    assertProblem(await call(finance, 'GET', '/v1/tasks'), 403, /name a role/);
    assertProblem(await call(finance, 'GET', `/v1/tasks/${task!.id}`), 403);
    assertProblem(await call(finance, 'POST', `/v1/tasks/${task!.id}/complete`, { outcome: 'approve' }), 403);
    const warehouse = await f.keyFor(['approver:warehouse']);
    const ok = await call(warehouse, 'POST', `/v1/tasks/${task!.id}/complete`, { outcome: 'reject' });
    assert.equal(ok.status, 200, ok.text);
    assertProblem(await call(admin, 'GET', '/v1/tasks/nope'), 404);
  });
});

describe('keys and audit', () => {
  test('create shows the secret once; the key works; list hides secrets; revoke stops it', async () => {
    const created = await call(admin, 'POST', '/v1/keys', {
      name: 'shop-bridge',
      roles: ['integrator'],
      scopes: ['events:publish:order.*'],
      principal: 'svc:shop',
    });
    assert.equal(created.status, 201, created.text);
    const secret = created.body.secret;
    assert.match(secret, /^bk_[0-9a-f]{8}_/);
    assert.equal(created.body.key.hash, undefined);
    const id = created.body.key.id;
    const r = await call(secret, 'POST', '/v1/events', cloudEvent('order.created'), {
      'content-type': 'application/cloudevents+json',
    });
    assert.equal(r.status, 202, r.text);
    const listed = await call(admin, 'GET', '/v1/keys');
    assert.ok(!listed.text.includes(secret));
    assert.ok(listed.body.items.every((k: Record<string, unknown>) => !('hash' in k)));
    const revoked = await call(admin, 'POST', `/v1/keys/${id}/revoke`);
    assert.equal(revoked.body.revokedBy, 'admin');
    assertProblem(await call(secret, 'GET', '/v1/contracts'), 401, /revoked/);
    assertProblem(await call(admin, 'POST', `/v1/keys/${id}/revoke`), 409);
    assertProblem(await call(admin, 'POST', '/v1/keys', { name: 'x', roles: ['king'] }), 400, /one of/);
    const badScope = await call(admin, 'POST', '/v1/keys', {
      name: 'x',
      roles: ['integrator'],
      scopes: ['fly:away'],
    });
    assertProblem(badScope, 400, /names no permission/);
  });

  test('the last admin key cannot be revoked', async () => {
    const keys = await governance.listApiKeys();
    const first = keys.find((k) => k.principal === 'admin')!;
    assertProblem(await call(admin, 'POST', `/v1/keys/${first.id}/revoke`), 409, /last active admin key/);
  });

  test('the audit log lists changes with filters and its chain verifies', async () => {
    const all = await call(admin, 'GET', '/v1/audit?limit=1000');
    assert.ok(all.body.items.length > 5);
    const seqs = all.body.items.map((a: { seq: number }) => a.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    const keysOnly = await call(admin, 'GET', '/v1/audit?targetKind=key&limit=2');
    assert.equal(keysOnly.body.items.length, 2);
    assert.equal(typeof keysOnly.body.next, 'number');
    const page2 = await call(admin, 'GET', `/v1/audit?targetKind=key&afterSeq=${keysOnly.body.next}`);
    assert.ok(page2.body.items.every((a: { seq: number }) => a.seq > keysOnly.body.next));
    const verify = await call(admin, 'GET', '/v1/audit/verify');
    assert.equal(verify.body.ok, true, verify.text);
    assert.equal(verify.body.checked, all.body.items.length);
  });
});
