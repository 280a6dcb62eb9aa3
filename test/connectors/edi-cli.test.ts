import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseInterchange } from '../../src/sim/x12.js';
import { tempDir } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const dir = tempDir();

const baton = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'baton.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

const issued = JSON.parse(readFileSync(join(FIXTURES, 'purchase-order-issued.json'), 'utf8'));

test('edi render prints the 850 for an event, bare or in an envelope; bad input exits 2 with the pointer', () => {
  const expected = readFileSync(join(FIXTURES, '850-purchase-order.edi'), 'utf8');
  const bare = baton('edi', 'render', join(FIXTURES, 'purchase-order-issued.json'));
  assert.equal(bare.status, 0, bare.stderr);
  assert.equal(bare.stdout, expected);

  const envelope = join(dir, 'envelope.json');
  writeFileSync(
    envelope,
    JSON.stringify({ specversion: '1.0', type: 'com.baton.retail.purchase_order.issued', data: issued }),
  );
  const wrapped = baton('edi', 'render', envelope, '--control-number', '4600');
  assert.equal(wrapped.status, 0, wrapped.stderr);
  assert.equal(parseInterchange(wrapped.stdout).controlNumber, '000004600');

  const broken = join(dir, 'broken.json');
  writeFileSync(
    broken,
    JSON.stringify({ ...issued, lines: [{ ...issued.lines[0], quantity: { value: -1, uom: 'CS' } }] }),
  );
  const bad = baton('edi', 'render', broken);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(
    bad.stderr,
    /^baton: .*broken\.json: not a purchase_order\.issued event: \/lines\/0\/quantity\/value must be >= 0\n$/,
  );

  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ type: 'asn.received', data: {} }));
  assert.match(
    baton('edi', 'render', other).stderr,
    /an 850 is rendered from purchase_order.issued, not asn.received/,
  );
  assert.equal(baton('edi', 'render', join(dir, 'missing.json')).status, 2);
  assert.equal(baton('edi', 'render', envelope, '--control-number', 'x').status, 2);
});

test('edi parse prints the events as JSON; a malformed document exits 1 naming the segment', () => {
  const ok = baton('edi', 'parse', join(FIXTURES, '856-asn.edi'));
  assert.equal(ok.status, 0, ok.stderr);
  const events = JSON.parse(ok.stdout);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'asn.received');
  assert.equal(events[0].data.packages[1].sscc, '034012345000000033');

  const compact = baton('edi', 'parse', join(FIXTURES, '810-invoice.edi'), '--json');
  assert.equal(compact.status, 0, compact.stderr);
  assert.equal(JSON.parse(compact.stdout.trim()).data.total.amount, '3564.54');

  const text = readFileSync(join(FIXTURES, '855-accepted-with-changes.edi'), 'utf8');
  const malformed = join(dir, 'bad-count.edi');
  writeFileSync(malformed, text.replace('SE*14*0001', 'SE*15*0001'));
  const bad = baton('edi', 'parse', malformed);
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, '');
  assert.match(
    bad.stderr,
    /^baton: X12 855 0001: segment 16 \(SE\) at byte \d+: SE01 says 15 segments but the set has 14, ST and SE included\n$/,
  );
});

test('edi ack prints the 997: accepted exits 0, rejected exits 1 with AK3/AK4 in the 997', () => {
  const accepted = baton('edi', 'ack', join(FIXTURES, '810-invoice.edi'), '--control-number', '12');
  assert.equal(accepted.status, 0, accepted.stderr);
  const ic = parseInterchange(accepted.stdout);
  assert.equal(ic.controlNumber, '000000012');
  assert.equal(ic.receiver.id, 'TEXTEISNORTE');
  assert.deepEqual(ic.groups[0]!.sets[0]!.segments.slice(-2), [
    ['AK5', 'A'],
    ['AK9', 'A', '1', '1', '1'],
  ]);

  const text = readFileSync(join(FIXTURES, '810-invoice.edi'), 'utf8');
  const broken = join(dir, 'bad-qty.edi');
  writeFileSync(broken, text.replace('IT1*20*12*CS', 'IT1*20*twelve*CS'));
  const rejected = baton('edi', 'ack', broken);
  assert.equal(rejected.status, 1);
  assert.match(
    rejected.stderr,
    /^baton: rejected: X12 810 0001: segment 12 \(IT1\) at byte \d+: IT102 "twelve" is not a quantity\n$/,
  );
  const segments = parseInterchange(rejected.stdout).groups[0]!.sets[0]!.segments;
  assert.deepEqual(segments.slice(1), [
    ['AK2', '810', '0001'],
    ['AK3', 'IT1', '10', '', '8'],
    ['AK4', '2', '', '6', 'twelve'],
    ['AK5', 'R', '5'],
    ['AK9', 'R', '1', '1', '0'],
  ]);
});
