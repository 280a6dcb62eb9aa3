import { createHash } from 'node:crypto';
import pg from 'pg';
import { ConfigError, StoreError } from '../../core/index.js';
import type { PgClient, PgClientConfig, PgDriver, PgPool, PgPoolConfig } from './driver.js';
import { loadMigrations, migrate, quoteIdent } from './migrate.js';
import { PostgresStore } from './store.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** The schema that holds the store's tables; created when missing. Default `baton`. */
  schema?: string;
  pool?: {
    /** Connections in the pool. Default 10. */
    max?: number;
    /** How long an unused connection stays open. Default 30 s. */
    idleTimeoutMs?: number;
    /** How long to wait for a connection before failing. Default 10 s. */
    connectionTimeoutMs?: number;
  };
  /** Shown in `pg_stat_activity`. Default `baton`. */
  applicationName?: string;
  /** Apply pending migrations when opening. Default true; when false the schema must be up to date. */
  migrate?: boolean;
}

interface Settings {
  url: string;
  schema: string;
  /** `host:port/database`, for messages: never the password. */
  target: string;
  password: string;
  channel: string;
  applicationName: string;
  migrate: boolean;
  pool: { max: number; idleTimeoutMs: number; connectionTimeoutMs: number };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8 = 20;

/** BIGINT columns hold epoch milliseconds and counters well inside 2^53: read them as numbers. */
const types: PgClientConfig['types'] = {
  getTypeParser: (oid, format) =>
    oid === INT8 ? Number : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown),
};

type Corkable = { cork?(): void; uncork?(): void };

/**
 * A pool connection whose statements issued in the same turn of the event loop leave in one write,
 * including those issued after awaiting something that was already settled (a transaction's BEGIN
 * and its first statements). `pg` writes every statement as its own system call, so a transaction
 * that sends a dozen statements without waiting (pipeline mode) would otherwise cost a dozen writes
 * and as many wake-ups of the server process.
 */
class CoalescingClient extends pg.Client {
  private corked = false;

  override query(...args: unknown[]): never {
    const stream = (this as unknown as { connection?: { stream?: Corkable } }).connection?.stream;
    if (!this.corked && stream?.cork && stream.uncork) {
      this.corked = true;
      stream.cork();
      setImmediate(() => {
        this.corked = false;
        stream.uncork?.();
      });
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

const driver: PgDriver = {
  createPool: (config) => new pg.Pool({ ...config, Client: CoalescingClient }),
  createClient: (config) => new pg.Client(config),
};

const decode = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

function compile(options: PostgresStoreOptions): Settings {
  const schema = options.schema ?? 'baton';
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new ConfigError(
      `PostgreSQL schema name "${schema}" is not valid: use lower-case letters, digits and underscores, ` +
        'at most 63, not starting with a digit or pg_',
    );
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigError(
      'the PostgreSQL URL is not valid; expected postgres://user:password@host:port/database',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`the PostgreSQL URL must start with postgres://, not ${url.protocol}//`);
  }
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const database = decode(url.pathname.slice(1)) || decode(url.username) || 'postgres';
  const channel = `baton_${schema}`;
  return Object.freeze({
    url: options.url,
    schema,
    target: `${host}:${url.port || '5432'}/${database}`,
    password: decode(url.password),
    // channel names are identifiers of at most 63 bytes
    channel:
      channel.length <= 63
        ? channel
        : `baton_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`,
    applicationName: options.applicationName ?? 'baton',
    migrate: options.migrate ?? true,
    pool: Object.freeze({
      max: options.pool?.max ?? 10,
      idleTimeoutMs: options.pool?.idleTimeoutMs ?? 30_000,
      connectionTimeoutMs: options.pool?.connectionTimeoutMs ?? 10_000,
    }),
  });
}

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(reason))].join('; ');
  }
  if (err instanceof Error) return err.message || String((err as { code?: unknown }).code ?? err.name);
  return String(err);
}

/** The one-line error for a failure to reach the database, with the password scrubbed out. */
function cannotConnect(s: Settings, err: unknown): StoreError {
  let message = reason(err);
  if (s.password) message = message.replaceAll(s.password, '***');
  return new StoreError(`cannot connect to PostgreSQL at ${s.target}: ${message}`, {
    cause: err,
    details: { target: s.target },
  });
}

function clientConfig(s: Settings, role: string, pipeline = false): PgClientConfig {
  return {
    connectionString: s.url,
    application_name: role ? `${s.applicationName} ${role}` : s.applicationName,
    // every connection resolves the store's tables in its schema
    options: `-c search_path=${s.schema}`,
    connectionTimeoutMillis: s.pool.connectionTimeoutMs,
    keepAlive: true,
    pipeline,
    types,
  };
}

async function withClient<T>(s: Settings, role: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = driver.createClient(clientConfig(s, role));
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw cannotConnect(s, err);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Applies pending migrations to the schema (creating it when missing) and returns the versions
 * applied. Safe to run from several processes at once: they take turns on an advisory lock.
 */
export function migratePostgresStore(options: PostgresStoreOptions): Promise<number[]> {
  const s = compile(options);
  return withClient(s, 'migrate', (client) => migrate(client, s.schema, Date.now()));
}

/** Checks that the pool's connections use the schema and that it is migrated to this build's version. */
async function verify(s: Settings, pool: PgPool): Promise<void> {
  const table = `${quoteIdent(s.schema)}.schema_migrations`;
  let current: unknown;
  let version = 0;
  try {
    const row = (
      await pool.query({
        text: 'SELECT current_schema() AS current, to_regclass($1) IS NOT NULL AS migrated',
        values: [table],
      })
    ).rows[0];
    current = row?.current;
    if (row?.migrated) {
      version = (await pool.query(`SELECT coalesce(max(version), 0) AS v FROM ${table}`)).rows[0]
        ?.v as number;
    }
  } catch (err) {
    throw cannotConnect(s, err);
  }
  const wanted = Math.max(0, ...loadMigrations().map((m) => m.version));
  if (version < wanted) {
    throw new StoreError(
      `PostgreSQL schema "${s.schema}" at ${s.target} is at migration ${version}, this build needs ${wanted}; ` +
        'run `baton migrate`',
      { retryable: false },
    );
  }
  if (current !== s.schema) {
    throw new ConfigError(
      `PostgreSQL connections resolve tables in schema "${current}", not "${s.schema}"; ` +
        'remove any search_path or options setting from the URL',
    );
  }
}

/** Opens the PostgreSQL store: migrates the schema (unless told not to) and checks the connection. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const s = compile(options);
  if (s.migrate) await withClient(s, 'migrate', (client) => migrate(client, s.schema, Date.now()));
  const pool = driver.createPool({
    // the store's transactions send the statements that do not depend on each other back to back
    ...clientConfig(s, '', true),
    max: s.pool.max,
    idleTimeoutMillis: s.pool.idleTimeoutMs,
  } satisfies PgPoolConfig);
  // an idle connection that breaks (a server restart) is dropped by the pool; the next query reconnects
  pool.on('error', () => {});
  try {
    await verify(s, pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return new PostgresStore({
    pool,
    schema: s.schema,
    channel: s.channel,
    listenClient: () => driver.createClient(clientConfig(s, 'listener')),
    cannotConnect: (err) => cannotConnect(s, err),
  });
}

export { PostgresStore };
