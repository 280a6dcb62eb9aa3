import { InvalidArgumentError } from 'commander';
import { type Api, createApiServer, listen } from '../api/index.js';
import { type Bus, INBOUND_DEAD_LETTER } from '../bus/index.js';
import { connectorsFromConfig } from '../connectors/index.js';
import { ContractRegistry } from '../contracts/index.js';
import { ConfigError, errorMessage, type Logger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { Io } from './output.js';

export interface ServeOptions {
  engine: Engine;
  bus: Bus;
  logger: Logger;
  io: Io;
  /** Overrides of the configured `api.port` and `api.host`. */
  port?: number;
  host?: string;
}

/**
 * Serves the HTTP API next to a running engine: the built-in contract catalogue is registered
 * (idempotent), then the server listens; on a fresh database the first admin key is printed once.
 */
export async function serveApi(o: ServeOptions): Promise<Api> {
  const registry = new ContractRegistry(o.engine.store.governance, { clock: o.engine.clock });
  await registry.seed();
  // the configured connectors, as the workers build them: live breakers and replays of dead letters
  const connectors = connectorsFromConfig(o.engine.config, o.engine.store, {
    clock: o.engine.clock,
    logger: o.logger,
  });
  const app = createApiServer({ engine: o.engine, registry, bus: o.bus, logger: o.logger, connectors });
  app.addHook('onClose', () => connectors.close());
  // inbound events that could not be applied are replayed through this process's bus
  connectors.dlq.onMessage(INBOUND_DEAD_LETTER.system, INBOUND_DEAD_LETTER.operation, (payload) =>
    o.bus.applyDeadLetter(payload),
  );
  const at = { ...(o.port === undefined ? {} : { port: o.port }), ...(o.host ? { host: o.host } : {}) };
  let served: Awaited<ReturnType<typeof listen>>;
  try {
    served = await listen(app, at);
  } catch (err) {
    await app.close();
    const where = `${at.host ?? o.engine.config.api.host}:${at.port ?? o.engine.config.api.port}`;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the address is in use'
        : code === 'EADDRNOTAVAIL'
          ? 'no such address on this machine'
          : errorMessage(err);
    throw new ConfigError(
      `cannot serve the HTTP API on ${where}: ${why} (choose another with --port or BATON_PORT, or --no-api)`,
    );
  }
  const { url, firstAdminKey } = served;
  const address = `HTTP API on ${url} (docs at ${url}/docs, OpenAPI at ${url}/openapi.json)`;
  // one write, so whoever reads the address has the key with it
  o.io.out(
    firstAdminKey
      ? `${address}\nfirst admin key (shown once, only its hash is stored; keep it):\n  ${firstAdminKey}`
      : address,
  );
  return app;
}

/** `--port` as a TCP port number (0 picks a free one). */
export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${v}" is not a port number (0 to 65535)`);
  return n;
}
