/** Matching of event data against a wait's `match`: every key (a dotted path) must equal its value. */
export type EventMatch = Record<string, string | number | boolean>;

export function readPath(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function matchesEvent(match: EventMatch | undefined, data: unknown): boolean {
  if (!match) return true;
  for (const [path, expected] of Object.entries(match)) {
    if (readPath(data, path) !== expected) return false;
  }
  return true;
}
