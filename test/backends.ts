/**
 * The external services some suites need, and whether they run. A suite whose service does not answer
 * is skipped with the reason; with `BATON_REQUIRE_SERVICES=1` (set in CI) it fails instead.
 *
 * ```ts
 * const skip = skipReason(await postgresAvailable());
 * describe('on postgres', { skip }, () => { ... });
 * ```
 */
import pg from 'pg';

export type Availability = { ok: true } | { ok: false; reason: string };

export function postgresUrl(): string {
  return process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** `host:port/database` of a PostgreSQL URL, without user or password. */
export function postgresTarget(url: string = postgresUrl()): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'an invalid URL';
  }
}

const probes = new Map<string, Promise<Availability>>();

/** Whether PostgreSQL answers a query at `url`; asked once per URL and test file. */
export function postgresAvailable(url: string = postgresUrl()): Promise<Availability> {
  let probe = probes.get(url);
  if (!probe) {
    probe = probePostgres(url);
    probes.set(url, probe);
  }
  return probe;
}

async function probePostgres(url: string): Promise<Availability> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `PostgreSQL not reachable at ${postgresTarget(url)}: ${describe(err)}` };
  } finally {
    await client.end().catch(() => {});
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describe))].join('; ');
  }
  return err instanceof Error ? err.message || String((err as { code?: unknown }).code) : String(err);
}

/**
 * The `skip` option for tests that need a service: undefined when it is available, else the reason.
 * Throws when `BATON_REQUIRE_SERVICES=1`, so a missing service fails the run instead of hiding in skips.
 */
export function skipReason(availability: Availability): string | undefined {
  if (availability.ok) return undefined;
  if (process.env.BATON_REQUIRE_SERVICES === '1') {
    throw new Error(`${availability.reason} (BATON_REQUIRE_SERVICES=1 requires it)`);
  }
  return availability.reason;
}
