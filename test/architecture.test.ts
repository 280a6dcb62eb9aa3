import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

/** The module layers of DESIGN.md, lowest first. A module may import only modules below it. */
const LAYERS = [
  'core',
  'store',
  'contracts',
  'engine',
  'bus',
  'connectors',
  'rules',
  'intelligence',
  'ai',
  'retail',
  'api',
  'sim',
  'cli',
];

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? files(p) : /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

function imports(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    out.push((m[1] ?? m[2]) as string);
  }
  return out;
}

const moduleOf = (abs: string) => relative(SRC, abs).split(sep)[0] as string;

/** Every violation as "file: import (reason)", for files given with their source text. */
function violations(sources: Array<{ file: string; source: string }>): string[] {
  const bad: string[] = [];
  for (const { file, source } of sources) {
    const from = moduleOf(file);
    for (const spec of imports(source)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(join(file, '..'), spec);
      if (!target.startsWith(SRC + sep)) {
        bad.push(`${relative(SRC, file)}: ${spec} (imports from outside src/)`);
        continue;
      }
      const to = moduleOf(target);
      if (to === from) continue;
      // src/index.ts is the package's public face: it may re-export any module through its index
      const face = relative(SRC, file) === 'index.ts';
      const rest = relative(join(SRC, to), target);
      if (!/^index\.(js|ts)$/.test(rest))
        bad.push(`${relative(SRC, file)}: ${spec} (reaches into ${to}/ past its index.ts)`);
      if (face) continue;
      if (!LAYERS.includes(from) || !LAYERS.includes(to))
        bad.push(`${relative(SRC, file)}: ${spec} (module not in the layer list)`);
      else if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
        bad.push(`${relative(SRC, file)}: ${spec} (${from} may not import ${to}, which sits above it)`);
    }
  }
  return bad;
}

test('every module under src/ is a known layer with a public index.ts', () => {
  for (const d of readdirSync(SRC, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    assert.ok(LAYERS.includes(d.name), `src/${d.name} is not a module of DESIGN.md`);
    assert.ok(
      files(join(SRC, d.name)).some((f) => f === join(SRC, d.name, 'index.ts')),
      `src/${d.name}/index.ts is missing`,
    );
  }
});

const tree = () => files(SRC).map((file) => ({ file, source: readFileSync(file, 'utf8') }));

test('modules import each other only through index.ts and only downward', () => {
  assert.deepEqual(violations(tree()), []);
});

test('the checker catches an internal import and an upward import', () => {
  const found = violations([
    { file: join(SRC, 'engine', 'x.ts'), source: "import { SqliteStore } from '../store/sqlite/store.js';" },
    { file: join(SRC, 'store', 'y.ts'), source: "export { Engine } from '../engine/index.js';" },
    { file: join(SRC, 'cli', 'z.ts'), source: "const m = await import('../engine/index.js');" },
  ]);
  assert.equal(found.length, 2);
  assert.match(found[0] ?? '', /reaches into store\/ past its index.ts/);
  assert.match(found[1] ?? '', /store may not import engine/);
});
