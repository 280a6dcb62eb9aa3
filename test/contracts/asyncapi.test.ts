import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Parser } from '@asyncapi/parser';
import { ContractRegistry, catalogue } from '../../src/contracts/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const store = openSqliteStore({ path: join(tempDir(), 'asyncapi.db') });
after(() => store.close());
const registry = new ContractRegistry(store.governance);
await registry.seed();

/** Diagnostics of severity 0 are errors: the document is not valid AsyncAPI. */
async function errorsOf(doc: object) {
  const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`);
}

test('the catalogue as AsyncAPI 3.0 passes the AsyncAPI parser with no errors', async () => {
  const doc = await registry.asyncApi({ serverUrl: 'https://baton.example.com/v1/events' });
  assert.equal((doc as { asyncapi: string }).asyncapi, '3.0.0');
  assert.deepEqual(await errorsOf(doc), []);
  const { document } = await new Parser().parse(JSON.stringify(doc));
  assert.ok(document, 'the parser returns a document');
  const messages = document
    .allMessages()
    .all()
    .map((m) => m.name());
  assert.deepEqual([...messages].sort(), catalogue.map((c) => c.type).sort(), 'one message per type');
});

test('a version registered later is the one the document describes; a retired type is left out', async () => {
  const entry = catalogue.find((c) => c.type === 'shipment.delayed')!;
  const latest = await registry.getVersion(entry.type);
  const schema = latest.schema as { properties: Record<string, unknown> };
  await registry.register({
    type: entry.type,
    schema: { ...schema, properties: { ...schema.properties, carrierNote: { type: 'string' } } },
    by: 'user:test',
  });
  await registry.setLifecycle('price.changed', 'retired', { by: 'user:test' });
  const doc = (await registry.asyncApi()) as {
    components: { messages: Record<string, unknown>; schemas: Record<string, { properties?: object }> };
  };
  assert.deepEqual(await errorsOf(doc), []);
  const keys = Object.keys(doc.components.messages);
  assert.ok(keys.includes(`shipment.delayed.v${latest.version + 1}`), keys.join(', '));
  assert.ok(!keys.some((k) => k.startsWith('price.changed.')), 'retired types are not described');
  assert.ok(
    'carrierNote' in (doc.components.schemas[`shipment.delayed.v${latest.version + 1}`]?.properties ?? {}),
  );
});

test('a broken document is caught: the parser is not silent', async () => {
  const doc = (await registry.asyncApi()) as { operations: Record<string, { channel: unknown }> };
  const [first] = Object.keys(doc.operations);
  doc.operations[first!]!.channel = { $ref: '#/channels/nowhere' };
  assert.notDeepEqual(await errorsOf(doc), []);
});
