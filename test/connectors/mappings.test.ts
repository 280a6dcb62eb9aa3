import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyMapping,
  builtinMappings,
  diffJson,
  type Mapping,
  MappingError,
  MappingFileError,
  readMappingFile,
  runFixtures,
  toMapping,
} from '../../src/connectors/index.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('baton-mappings-');

const mapping = (over: Partial<Mapping> & { expression: string }): Mapping => ({
  name: 'test-map',
  version: 3,
  from: { format: 'test/input' },
  to: { request: 'test/output' },
  fixtures: [],
  ...over,
});

test('every shipped mapping has fixtures, and they all pass', async () => {
  const all = builtinMappings().all();
  const names = all.map((m) => m.name);
  for (const used of ['shopify-orders-create', 'medusa-order-placed', 'pos-csv-sale'])
    assert.ok(names.includes(used), `the ${used} mapping an adapter uses is shipped`);
  assert.ok(
    all.some((m) => 'request' in m.to),
    'one maps a contract event to a system request',
  );
  for (const m of all) assert.ok(m.fixtures.length > 0, `${m.name} has fixtures`);
  const results = await runFixtures(all);
  assert.deepEqual(
    results.filter((r) => !r.ok),
    [],
  );
  assert.equal(
    results.length,
    all.reduce((n, m) => n + m.fixtures.length, 0),
  );
});

test('an evaluation error names the mapping, its version, the failing expression, position and token', async () => {
  const m = mapping({ expression: "{\n  'total': price * 2,\n  'label': name + 1\n}" });
  await assert.rejects(
    () => applyMapping(m, { price: 2, name: 'cap' }),
    (err: unknown) => {
      assert.ok(err instanceof MappingError);
      assert.match(err.message, /^mapping test-map v3 failed: T2001 /);
      assert.match(err.message, /at line 3, column \d+ \(token "\+"\) in: 'label': name \+ 1$/);
      assert.equal(err.failure.mapping, 'test-map');
      assert.equal(err.failure.version, 3);
      assert.equal(err.failure.code, 'T2001');
      assert.equal(err.failure.line, 3);
      assert.equal(err.failure.token, '+');
      assert.equal(err.failure.expression, "'label': name + 1");
      return true;
    },
  );
});

test('a runaway expression is stopped by the depth and time guards', async () => {
  const m = mapping({ expression: '( $f := function($n) { 1 + $f($n + 1) }; $f(0) )' });
  await assert.rejects(() => applyMapping(m, {}, { maxDepth: 100 }), /mapping test-map v3 failed: D1011/);
  const slow = mapping({
    expression: '( $f := function($n) { $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40) )',
  });
  await assert.rejects(() => applyMapping(slow, {}, { timeoutMs: 50 }), /mapping test-map v3 failed: D1012/);
});

test('an output that breaks the target contract is reported with every issue', async () => {
  const m = mapping({
    to: { contract: 'order.created' },
    expression: "{ 'orderId': 'bad id', 'channel': 'fax' }",
  });
  await assert.rejects(
    () => applyMapping(m, {}),
    (err: unknown) => {
      assert.ok(err instanceof MappingError);
      assert.equal(err.failure.stage, 'output');
      assert.match(
        err.message,
        /^mapping test-map v3 produced output that breaks the contract order.created: /,
      );
      const paths = err.issues.map((i) => i.path);
      for (const p of ['/orderId', '/channel', '/lines', '/totals'])
        assert.ok(paths.includes(p), `${p} in ${paths}`);
      return true;
    },
  );
  // ingestion turns the check off: the registry checks against the version it holds
  assert.deepEqual(await applyMapping(m, {}, { checkOutput: false }), { orderId: 'bad id', channel: 'fax' });
  await assert.rejects(() => applyMapping(mapping({ expression: 'missing.field' }), {}), /produced no value/);
});

test('a fixture whose output differs is reported with the differing pointers', async () => {
  const m = mapping({
    expression: "{ 'sku': sku, 'qty': qty * 2, 'tags': [tag] }",
    fixtures: [
      { name: 'doubles', input: { sku: 'A', qty: 2, tag: 'x' }, expected: { sku: 'A', qty: 4, tags: ['x'] } },
      {
        name: 'wrong',
        input: { sku: 'A', qty: 2, tag: 'x' },
        expected: { sku: 'B', qty: 4, tags: ['x', 'y'], gone: 1 },
      },
      { name: 'expects an error', input: {}, expectedError: 'T2001' },
    ],
  });
  const [pass, fail, noError] = await runFixtures([m]);
  assert.equal(pass!.ok, true);
  assert.equal(fail!.ok, false);
  assert.deepEqual(fail!.differences, [
    { path: '/sku', expected: 'B', actual: 'A' },
    { path: '/tags/1', expected: 'y' },
    { path: '/gone', expected: 1 },
  ]);
  assert.equal(noError!.ok, false, 'an absent qty yields no error, so the fixture fails');
  assert.deepEqual(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }], c: true }), [
    { path: '/a/1/b', expected: 2, actual: 3 },
    { path: '/c', actual: true },
  ]);
});

test('mapping files are checked with the file and a pointer in every error', () => {
  const good = {
    name: 'sample-map',
    version: 2,
    from: { format: 'x/y' },
    to: { contract: 'order.created' },
    expression: ['{', "  'a': b", '}'],
    fixtures: [{ name: 'one', input: { b: 1 }, expected: { a: 1 } }],
  };
  const write = (name: string, doc: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    return path;
  };
  const loaded = readMappingFile(write('sample-map.v2.json', good));
  assert.equal(loaded.expression, "{\n  'a': b\n}");

  const fails = (name: string, doc: unknown, pointer: string, text: RegExp) =>
    assert.throws(
      () => readMappingFile(write(name, doc)),
      (err: unknown) => {
        assert.ok(err instanceof MappingFileError, String(err));
        assert.ok(err.message.startsWith(join(dir, name)), err.message);
        assert.ok(
          err.issues.some((i) => i.path === pointer && text.test(i.message)),
          `${pointer} ${text} in ${JSON.stringify(err.issues)}`,
        );
        return true;
      },
    );
  fails('sample-map.v3.json', good, '/name', /does not match the file name: .*sample-map.v2.json/);
  fails(
    'sample-map.v2.json',
    { ...good, expression: ['{', "  'a': b +", '}'] },
    '/expression/2',
    /does not compile: S0/,
  );
  fails(
    'sample-map.v2.json',
    { ...good, to: { contract: 'order.teleported' } },
    '/to/contract',
    /names no contract/,
  );
  fails('sample-map.v2.json', { ...good, to: {} }, '/to', /exactly one of contract or request/);
  fails(
    'sample-map.v2.json',
    { ...good, fixtures: [{ name: 'x', input: 1 }] },
    '/fixtures/0',
    /expected or expectedError/,
  );
  fails('sample-map.v2.json', { ...good, version: 0 }, '/version', /must be >= 1/);
  fails('sample-map.v2.json', { ...good, extra: true }, '/extra', /not a property/);
  fails('sample-map.v2.json', '{ "name": ', '', /is not JSON/);
  assert.throws(
    () => toMapping({ ...good, to: { request: 'erp/x', schema: { type: 'nope' } } }, 'inline'),
    /\/to\/schema/,
  );
});
