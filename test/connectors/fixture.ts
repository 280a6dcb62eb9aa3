import { after } from 'node:test';
import { Connectors } from '../../src/connectors/index.js';
import type { ConnectorSettings } from '../../src/core/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { tempDbPath } from '../helpers.js';
import { definitions, shop } from './shop.js';
import { StandIn } from './standin.js';

export { definitions, shop } from './shop.js';

/** Quick retries and a short timeout, so the tests wait little. */
export const quick: ConnectorSettings = {
  timeoutMs: 500,
  maxAttempts: 3,
  retryDelayMs: 20,
  maxRetryDelayMs: 100,
  breakerThreshold: 50,
  breakerHalfOpenMs: 300,
};

/** A stand-in system that is up, a store on a real SQLite file and a registry with the test connector. */
export async function sdkFixture(settings: ConnectorSettings = {}, store?: Store) {
  const system = await new StandIn().up();
  after(() => system.down());
  const s = store ?? openSqliteStore({ path: tempDbPath(), durability: 'normal' });
  const connectors = new Connectors({
    store: s,
    definitions,
    settings: { shop: { baseUrl: system.url, ...quick, ...settings } },
    recorder: { flushMs: 20 },
  });
  after(async () => {
    await connectors.close();
    if (!store) await s.close();
  });
  return { system, store: s, connectors, client: connectors.client(shop) };
}
