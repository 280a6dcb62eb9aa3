import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { COMPATIBILITY_MODES } from '../../src/contracts/index.js';
import { tempDir } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');
const dir = tempDir();

async function baton(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const line = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { sku: { type: 'string' }, qty: { type: 'integer' }, ...properties },
  required: ['sku', 'qty'],
  additionalProperties: false,
  ...extra,
});

const v1 = file('v1.json', line({}));
const withNote = file('v2-note.json', line({ note: { type: 'string' } }));
const qtyAsText = file('v2-qty-text.json', line({ qty: { type: 'string' } }));

interface JsonReport {
  compatible: boolean;
  changes: Array<{ kind: string; path: string; breaking: boolean; direction: string; detail?: string }>;
}

describe('baton contracts diff', () => {
  test('a compatible change exits 0 and lists the change', async () => {
    const r = await baton('contracts', 'diff', v1, withNote);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    assert.match(r.out, /^ok\s+OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL\s+#\/properties\/note$/m);
    assert.match(r.out, /compatible under BACKWARD: 1 change, none breaking$/);
    const same = await baton('contracts', 'diff', v1, v1);
    assert.equal(same.code, 0);
    assert.equal(same.out, 'compatible under BACKWARD: no changes');
  });

  test('a breaking change exits 1, marks what breaks and says why on stderr', async () => {
    const r = await baton('contracts', 'diff', v1, qtyAsText);
    assert.equal(r.code, 1);
    assert.match(r.out, /^breaking\s+TYPE_CHANGED\s+#\/properties\/qty\s+type integer → string$/m);
    assert.equal(r.err, 'baton: not compatible under BACKWARD: 1 breaking of 1 change');
  });

  test('--mode picks the mode: closed models may gain optional fields BACKWARD but not FORWARD', async () => {
    assert.equal((await baton('contracts', 'diff', v1, withNote, '--mode', 'BACKWARD')).code, 0);
    const forward = await baton('contracts', 'diff', v1, withNote, '--mode', 'FORWARD');
    assert.equal(forward.code, 1);
    assert.match(
      forward.out,
      /^breaking\s+PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL\s+#\/properties\/note/m,
    );
    const full = await baton('contracts', 'diff', v1, withNote, '--mode', 'full');
    assert.equal(full.code, 1, 'modes are case-insensitive');
    assert.match(full.out, /DIRECTION/);
    assert.match(
      full.out,
      /^ok\s+OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL\s+#\/properties\/note\s+backward$/m,
    );
    assert.match(full.err, /not compatible under FULL/);
    const none = await baton('contracts', 'diff', v1, qtyAsText, '--mode', 'NONE');
    assert.equal(none.code, 0);
    assert.match(none.out, /^ok\s+TYPE_CHANGED/m);
  });

  test('--json prints exactly { compatible, changes } with kind and path on every change', async () => {
    const ok = await baton('contracts', 'diff', v1, withNote, '--json');
    assert.equal(ok.code, 0);
    const report = JSON.parse(ok.out) as JsonReport;
    assert.deepEqual(Object.keys(report).sort(), ['changes', 'compatible']);
    assert.deepEqual(report, {
      compatible: true,
      changes: [
        {
          kind: 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          path: '#/properties/note',
          breaking: false,
          direction: 'backward',
        },
      ],
    });

    const bad = await baton('contracts', 'diff', v1, qtyAsText, '--mode', 'FULL', '--json');
    assert.equal(bad.code, 1);
    const broken = JSON.parse(bad.out) as JsonReport;
    assert.equal(broken.compatible, false);
    assert.deepEqual(
      broken.changes.map((c) => [c.direction, c.kind, c.path, c.breaking]),
      [
        ['backward', 'TYPE_CHANGED', '#/properties/qty', true],
        ['forward', 'TYPE_CHANGED', '#/properties/qty', true],
      ],
    );
    for (const c of broken.changes) {
      assert.equal(typeof c.kind, 'string');
      assert.match(c.path, /^#/);
    }
  });

  test('a missing or unreadable file exits 2 naming it', async () => {
    const missing = join(dir, 'nope.json');
    const r = await baton('contracts', 'diff', v1, missing);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err, `baton: cannot read ${missing}: no such file`);
    const folder = await baton('contracts', 'diff', dir, v1);
    assert.equal(folder.code, 2);
    assert.match(folder.err, new RegExp(`^baton: cannot read ${dir}: `));
    if (process.getuid?.() !== 0) {
      const locked = file('locked.json', line({}));
      chmodSync(locked, 0o000);
      assert.equal((await baton('contracts', 'diff', locked, v1)).code, 2);
    }
  });

  test('a file that is not JSON exits 2 naming the file and the position', async () => {
    const broken = file(
      'broken.json',
      '{\n  "type": "object",\n  "properties": { "qty": { "type": "integer", } }\n}',
    );
    const r = await baton('contracts', 'diff', v1, broken);
    assert.equal(r.code, 2);
    assert.equal(r.err, `baton: ${broken} is not valid JSON: unexpected "}" at line 3, column 47`);
    const cut = file('cut.json', '{"type": "obj');
    assert.equal(
      (await baton('contracts', 'diff', cut, v1)).err,
      `baton: ${cut} is not valid JSON: unexpected end of input at line 1, column 14`,
    );
    const trailing = file('trailing.json', '{}\n{}');
    assert.equal(
      (await baton('contracts', 'diff', v1, trailing)).err,
      `baton: ${trailing} is not valid JSON: unexpected "{" at line 2, column 1`,
    );
  });

  test('JSON that is not a JSON Schema exits 2', async () => {
    const list = file('list.json', '[1, 2]');
    const r = await baton('contracts', 'diff', list, v1);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`^baton: ${list} is not a JSON Schema 2020-12: / must be a JSON Schema`));
    const wrongType = file('wrong-type.json', { type: 'whole-number' });
    const w = await baton('contracts', 'diff', v1, wrongType);
    assert.equal(w.code, 2);
    assert.match(w.err, /wrong-type\.json is not a JSON Schema 2020-12: \/type /);
  });

  test('an unknown mode exits 2 listing the valid modes', async () => {
    const r = await baton('contracts', 'diff', v1, withNote, '--mode', 'SIDEWAYS');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /"SIDEWAYS" is not a compatibility mode/);
    for (const mode of COMPATIBILITY_MODES) assert.ok(r.err.includes(mode), mode);
  });

  test('the installed command exits with the same codes', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'contracts', 'diff', ...args], { encoding: 'utf8', timeout: 60_000 });
    const ok = run(v1, withNote, '--json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as JsonReport).compatible, true);
    const bad = run(v1, qtyAsText);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^baton: not compatible under BACKWARD/);
    assert.equal(run(v1, join(dir, 'nope.json')).status, 2);
  });
});
