import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { createKey, keyView, revokeKey, roleNames } from '../../api/index.js';
import { newId } from '../../core/index.js';
import { type GlobalOptions, withStore } from '../context.js';
import { type Io, iso, json, table } from '../output.js';

/** The actor CLI changes are audited under: the operating-system user, with a per-invocation id. */
export function cliActor(): { name: string; requestId: string } {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // some containers run under a uid without a name
  }
  return { name: `cli:${user}`, requestId: `cli:${newId()}` };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function parseRole(value: string, previous: string[] = []): string[] {
  if (!(roleNames as string[]).includes(value))
    throw new InvalidArgumentError(`"${value}" is not a role (${roleNames.join(', ')})`);
  return [...previous, value];
}

function parseDate(value: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`"${value}" is not a date (use ISO 8601)`);
  return t;
}

export function registerKeys(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const keys = program.command('keys').description('API keys of the HTTP API: create, list, revoke');

  keys
    .command('create')
    .description('create an API key; its secret is printed once and never stored')
    .requiredOption('--name <name>', 'what the key is for, e.g. shopify-bridge')
    .requiredOption('--role <role>', `role, repeatable (${roleNames.join(', ')})`, parseRole)
    .option('--scope <scope>', 'narrows a permission, repeatable (events:publish:order.*)', collect)
    .option('--principal <who>', 'who the key acts as (default key:<name>), e.g. svc:shop or user:ana')
    .option('--expires <iso-date>', 'when the key stops working', parseDate)
    .option('--json', 'print JSON')
    .action(async (o) => {
      const issued = await withStore(g(), (store) =>
        createKey(
          store.governance,
          {
            name: o.name,
            roles: o.role,
            scopes: o.scope ?? [],
            ...(o.principal ? { principal: o.principal } : {}),
            ...(o.expires !== undefined ? { expiresAt: o.expires } : {}),
          },
          cliActor(),
          Date.now(),
        ),
      );
      if (o.json) {
        io.out(json({ key: keyView(issued.record), secret: issued.secret }));
        return;
      }
      io.out(`created key ${issued.record.id} (${issued.record.prefix}) for ${issued.record.principal}`);
      io.out(
        `roles: ${issued.record.roles.join(', ')}${issued.record.scopes.length ? `; scopes: ${issued.record.scopes.join(', ')}` : ''}`,
      );
      io.out(`\n  ${issued.secret}\n\nstore it now: it is shown this once and cannot be recovered`);
    });

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const list = await withStore(g(), (store) => store.governance.listApiKeys());
      io.out(
        o.json
          ? json(list.map(keyView))
          : table(
              list.map((k) => ({
                id: k.id,
                name: k.name,
                prefix: k.prefix,
                principal: k.principal,
                roles: k.roles.join(','),
                scopes: k.scopes.join(','),
                created: iso(k.createdAt),
                lastUsed: iso(k.lastUsedAt),
                revoked: iso(k.revokedAt),
              })),
              ['id', 'name', 'prefix', 'principal', 'roles', 'scopes', 'created', 'lastUsed', 'revoked'],
            ),
      );
    });

  keys
    .command('revoke <keyId>')
    .description('revoke an API key; requests with it are refused from then on')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      const k = await withStore(g(), (store) => revokeKey(store.governance, id, cliActor(), Date.now()));
      io.out(o.json ? json(keyView(k)) : `key ${k.id} (${k.prefix}) revoked`);
    });
}
