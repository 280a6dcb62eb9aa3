/**
 * The part of `pg` the store uses, typed structurally so the rest of the store does not depend on
 * the library's own types. `index.ts` is the only file that imports `pg`.
 */
export type PgRow = Record<string, unknown>;

export interface PgQuery {
  /** Names a prepared statement; each connection parses and plans it once. */
  name?: string;
  text: string;
  values?: unknown[];
}

export interface PgResult {
  rows: PgRow[];
  rowCount: number | null;
  /** The command tag: `COMMIT` comes back as `ROLLBACK` when the transaction had failed. */
  command: string;
}

export interface PgQueryable {
  query(query: PgQuery | string): Promise<PgResult>;
}

export interface PgPoolClient extends PgQueryable {
  /** Returns the client to the pool; with an error the pool discards the connection instead. */
  release(err?: Error | boolean): void;
  /** A checked-out client has no listener of the pool's: an unheard 'error' would end the process. */
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgNotification {
  channel: string;
  payload?: string;
}

/** A connection of its own, outside the pool: the LISTEN side of push wake-ups and the migrator. */
export interface PgClient extends PgQueryable {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (msg: PgNotification) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeAllListeners(): unknown;
}

/** Connection settings, in the spelling `pg` expects. */
export interface PgClientConfig {
  connectionString: string;
  application_name: string;
  /** Server options sent at connect time; the store sets `search_path` here. */
  options: string;
  connectionTimeoutMillis: number;
  /** TCP keep-alive, so a connection that went silent is noticed. */
  keepAlive: boolean;
  /** Sends queued statements without waiting for the answers to the ones before (pipeline mode). */
  pipeline: boolean;
  types: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

export interface PgPoolConfig extends PgClientConfig {
  max: number;
  idleTimeoutMillis: number;
}

/** Creates connections; the seam between the store and the `pg` package. */
export interface PgDriver {
  createPool(config: PgPoolConfig): PgPool;
  createClient(config: PgClientConfig): PgClient;
}
