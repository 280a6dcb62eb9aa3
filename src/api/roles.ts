/**
 * Who may do what. A permission is `area:action`, optionally narrowed to a resource
 * (`events:publish:order.created`, `tasks:complete:finance`). Roles grant permissions through one
 * table; a key's scopes then narrow the permissions they name, never widen them.
 */

/** Every permission a route asks for; the third part of a grant or scope names the resource. */
export const PERMISSIONS = {
  'events:publish': 'publish events; the resource is the event type (order.created)',
  'quarantine:read': 'list and read quarantined events',
  'quarantine:manage': 'correct, replay and discard quarantined events',
  'contracts:read': 'read event contracts, their versions and diffs',
  'contracts:write': 'register contract versions and change their lifecycle',
  'workflows:read': 'list workflow definitions',
  'runs:read': 'search and read runs with their journal and history',
  'runs:start': 'start runs; the resource is the workflow name',
  'runs:operate': 'cancel, retry and restart runs; the resource is the workflow name',
  'tasks:read': 'read the task inbox; the resource is the task role',
  'tasks:complete': 'claim and complete tasks; the resource is the task role',
  'tasks:delegate': 'delegate tasks to another person; the resource is the task role',
  'keys:manage': 'create, list and revoke API keys',
  'audit:read': 'read and verify the audit log',
  'pos:ingest': 'post POS sale batches (CSV); their sales are published as order.created',
  'rules:read': 'read rule sets, their versions, drafts with their diffs, and regional overrides',
  'rules:propose': 'propose rule-set drafts and regional overrides',
  'rules:approve': 'approve or reject rule drafts (never one the same principal proposed)',
  'connectors:read': 'read the health view and call records of connected systems',
  'dlq:read': 'list and read the dead-letter queue',
  'dlq:manage': 'edit, replay and discard dead letters',
} as const;

export type Permission = keyof typeof PERMISSIONS;

/** The task roles each approving function answers for (patterns: `finance*` covers `finance-lead`). */
const approver = (...taskRoles: string[]) =>
  taskRoles.flatMap((r) => [`tasks:read:${r}`, `tasks:complete:${r}`, `tasks:delegate:${r}`]);

/** The one table of roles and the permissions each grants. */
export const ROLES = {
  admin: ['*'],
  integrator: [
    'events:publish:*',
    'quarantine:read',
    'quarantine:manage',
    'contracts:read',
    'contracts:write',
    'workflows:read',
    'runs:read',
    'runs:start:*',
    'pos:ingest',
    'rules:read',
    'connectors:read',
    'dlq:read',
    'dlq:manage',
  ],
  operator: [
    'quarantine:read',
    'quarantine:manage',
    'contracts:read',
    'workflows:read',
    'runs:read',
    'runs:start:*',
    'runs:operate:*',
    'tasks:read:*',
    'tasks:delegate:*',
    'audit:read',
    'rules:read',
    'rules:propose',
    'connectors:read',
    'dlq:read',
    'dlq:manage',
  ],
  'approver:finance': [...approver('finance*'), 'rules:read', 'rules:propose'],
  'approver:merchandising': [
    ...approver('merchandising*', 'pricing*', 'promotion*'),
    'rules:read',
    'rules:propose',
  ],
  'approver:warehouse': approver('warehouse*', 'fulfilment*'),
  'approver:store-operations': approver('store-operations*', 'customer-service*'),
  /** Reviews rule drafts; maker-checker still refuses a draft its own principal proposed. */
  'approver:rules': ['rules:read', 'rules:approve'],
} as const satisfies Record<string, readonly string[]>;

export type Role = keyof typeof ROLES;

export const roleNames = Object.keys(ROLES) as Role[];

export function isRole(name: string): name is Role {
  return Object.hasOwn(ROLES, name);
}

/** Who a request acts as: resolved from its API key. */
export interface Principal {
  /** For example `svc:shopify-bridge` or `user:ana`; recorded as the actor in the audit log. */
  name: string;
  keyId: string;
  roles: string[];
  scopes: string[];
}

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters; everything else matches itself. */
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re;
}

/** Splits `area:action[:resource]`; the resource may itself contain colons. */
function parse(grant: string): { permission: string; resource: string } {
  const [area = '', action = '', ...rest] = grant.split(':');
  return { permission: `${area}:${action}`, resource: rest.length ? rest.join(':') : '*' };
}

function matches(grant: string, permission: string, resource: string): boolean {
  if (grant === '*') return true;
  const g = parse(grant);
  return g.permission === permission && glob(g.resource).test(resource);
}

/**
 * Whether `principal` may use `permission` on `resource` (`'*'`: on every resource, as listing the
 * whole inbox needs). A role must grant it, and when the key has scopes naming this permission, one of
 * them must match too.
 */
export function allows(principal: Principal, permission: Permission, resource = '*'): boolean {
  const granted = principal.roles.some((r) =>
    isRole(r) ? ROLES[r].some((g) => matches(g, permission, resource)) : false,
  );
  if (!granted) return false;
  const narrowing = principal.scopes.filter((s) => parse(s).permission === permission);
  return narrowing.length === 0 || narrowing.some((s) => matches(s, permission, resource));
}

/** Whether a role grants `permission` on some resource at least (scopes narrow resources, not this). */
export function holdsAny(principal: Principal, permission: Permission): boolean {
  return principal.roles.some(
    (r) => isRole(r) && ROLES[r].some((g: string) => g === '*' || parse(g).permission === permission),
  );
}

const SCOPE = /^[a-z]+:[a-z]+(:[^\s]+)?$/;

/** Problems with a scope list, as messages; empty when every scope names a known permission. */
export function scopeProblems(scopes: string[]): string[] {
  const out: string[] = [];
  for (const s of scopes) {
    if (!SCOPE.test(s)) out.push(`scope "${s}" must look like area:action or area:action:resource`);
    else if (!Object.hasOwn(PERMISSIONS, parse(s).permission))
      out.push(`scope "${s}" names no permission (known: ${Object.keys(PERMISSIONS).join(', ')})`);
  }
  return out;
}
