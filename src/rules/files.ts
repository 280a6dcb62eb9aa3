import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../core/index.js';
import { parseDmn } from './dmn-xml.js';
import type { DecisionTable, Definitions } from './model.js';

/** The default rules of the five retail flows: `rules/*.dmn` at the repository root. */
export const defaultRulesDir = fileURLToPath(new URL('../../rules/', import.meta.url));

/** Reads and checks a DMN 1.3 file; errors name the file. */
export async function readDmnFile(path: string): Promise<Definitions> {
  let xml: string;
  try {
    xml = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? err);
    throw new ValidationError(`cannot read ${path}: ${why}`, [{ path: '', message: why }]);
  }
  return parseDmn(xml, path);
}

/** The decision with this id, or an error listing the decisions there are. */
export function findDecision(defs: Definitions, id: string, source = 'the DMN file'): DecisionTable {
  const found = defs.decisions.find((d) => d.id === id);
  if (found) return found;
  const ids = defs.decisions.map((d) => d.id).join(', ') || 'none';
  throw new ValidationError(`${source} has no decision "${id}"; its decisions are: ${ids}`, [
    { path: '', message: `no decision "${id}"` },
  ]);
}

/** Every decision of the default rule files, by decision id. */
export async function loadDefaultRules(dir = defaultRulesDir): Promise<Map<string, DecisionTable>> {
  const out = new Map<string, DecisionTable>();
  const files = (await readdir(dir)).filter((f) => f.endsWith('.dmn')).sort();
  for (const file of files) {
    for (const d of (await readDmnFile(join(dir, file))).decisions) {
      if (out.has(d.id)) throw new ValidationError(`decision "${d.id}" is defined twice in ${dir}`);
      out.set(d.id, d);
    }
  }
  return out;
}
