import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { connect } from 'nats';

export const NATS_URL = process.env.BATON_NATS_URL ?? 'nats://127.0.0.1:4222';
const required = process.env.BATON_REQUIRE_SERVICES === '1';

/** Whether a NATS server answers at `url` within `timeoutMs`. */
export async function natsReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: timeoutMs, maxReconnectAttempts: 0 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Test options for a NATS suite: skipped with the reason when no server answers, unless
 * BATON_REQUIRE_SERVICES=1, in which case the tests run and fail on the missing server.
 */
export async function natsTestOptions(url = NATS_URL): Promise<{ skip?: string }> {
  if (required || (await natsReachable(url))) return {};
  return { skip: `NATS not reachable at ${url}` };
}

/** A stream and subject prefix of this test file's own, deleted (with its relay bucket) at the end. */
export function natsScope(tag: string, url = NATS_URL): { stream: string; subjectPrefix: string } {
  const id = randomBytes(4).toString('hex');
  const scope = { stream: `TEST_${tag.toUpperCase()}_${id}`, subjectPrefix: `test.${tag}.${id}` };
  after(async () => {
    const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 }).catch(
      () => undefined,
    );
    if (!nc) return;
    const jsm = await nc.jetstreamManager();
    for (const name of [scope.stream, `KV_${scope.stream}_relay`])
      await jsm.streams.delete(name).catch(() => {});
    await nc.close();
  });
  return scope;
}
