import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ApplicationFailure,
  ConfigError,
  compileConfig,
  configFromEnv,
  configFromFile,
  isRetryable,
  NonDeterminismError,
  newId,
  seededRandom,
  serializeError,
  toMs,
  ValidationError,
} from '../src/core/index.js';
import { tempDir } from './helpers.js';

test('newId returns UUIDv7 strings that sort in creation order', () => {
  let prev = '';
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const id = newId();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(id > prev, `${id} does not sort after ${prev}`);
    prev = id;
    seen.add(id);
  }
  assert.equal(seen.size, 20_000);
  const t = Date.UTC(2026, 5, 1);
  assert.equal(Number.parseInt(newId(t).replace(/-/g, '').slice(0, 12), 16) >= t, true);
});

test('seededRandom is deterministic per seed and spread over [0, 1)', () => {
  const a = seededRandom('run-1');
  const b = seededRandom('run-1');
  const c = seededRandom('run-2');
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.notEqual(xs[0], c());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean > 0.4 && mean < 0.6);
});

test('durations accept milliseconds and text, and reject anything else with a clear message', () => {
  assert.equal(toMs(250), 250);
  assert.equal(toMs('2h'), 7_200_000);
  assert.equal(toMs('3d'), 259_200_000);
  assert.throws(() => toMs('soon', 'dueIn'), /dueIn "soon" is not a duration/);
  assert.throws(() => toMs(-5), ValidationError);
});

test('config has defaults, takes overrides, reads BATON_* only when asked, and rejects bad values', () => {
  const c = compileConfig();
  assert.equal(c.durability, 'full');
  assert.equal(c.worker.concurrency, 64);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.worker));
  assert.equal(compileConfig({ worker: { concurrency: 8 } }).worker.leaseMs, 30_000);
  assert.deepEqual(configFromEnv({ BATON_DB: '/tmp/x.db', BATON_DURABILITY: 'normal' }), {
    databasePath: '/tmp/x.db',
    durability: 'normal',
  });
  assert.throws(() => compileConfig({ durability: 'sometimes' as never }), ConfigError);
  assert.throws(
    () => compileConfig({ worker: { concurrency: 0 } }),
    /worker.concurrency must be a positive integer/,
  );
  assert.throws(() => compileConfig({ resources: { erp: { perSecond: -1 } } }), /resources.erp.perSecond/);
});

test('errors carry retry behaviour as data and serialise with their code', () => {
  assert.equal(isRetryable(new Error('socket hang up')), true);
  assert.equal(isRetryable(ApplicationFailure.nonRetryable('credit blocked', 'CreditBlocked')), false);
  assert.equal(isRetryable(ApplicationFailure.retryable('busy', 'Busy', 500)), true);
  assert.equal(isRetryable(new ApplicationFailure('x', 'PriceMismatch'), ['PriceMismatch']), false);
  const nd = new NonDeterminismError(3, { kind: 'step', name: 'a' }, { kind: 'step', name: 'b' });
  const s = serializeError(nd);
  assert.equal(s.code, 'NON_DETERMINISM');
  assert.equal(s.retryable, false);
  assert.deepEqual(s.details, {
    position: 3,
    recorded: { kind: 'step', name: 'a' },
    requested: { kind: 'step', name: 'b' },
  });
  assert.equal(new ValidationError('bad').status, 400);
});

test('a config file sets the same fields; unknown keys and bad JSON are refused with the file named', () => {
  const dir = tempDir();
  const good = join(dir, 'baton.config.json');
  writeFileSync(good, JSON.stringify({ databaseUrl: 'postgres://db/baton', worker: { concurrency: 16 } }));
  const c = compileConfig(configFromFile(good));
  assert.equal(c.databaseUrl, 'postgres://db/baton');
  assert.equal(c.worker.concurrency, 16);
  assert.equal(c.worker.leaseMs, 30_000);
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ databasePth: 'x' }));
  assert.throws(() => configFromFile(typo), /typo.json: unknown setting "databasePth"/);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "worker": ');
  assert.throws(
    () => configFromFile(broken),
    (e: unknown) => e instanceof ConfigError && /cannot read config file .*broken.json/.test(e.message),
  );
});
