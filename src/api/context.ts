import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { Bus } from '../bus/index.js';
import type { Connectors } from '../connectors/index.js';
import type { ContractRegistry } from '../contracts/index.js';
import type { BatonConfig, Clock, Logger } from '../core/index.js';
import type { Engine } from '../engine/index.js';
import type { GovernanceStore } from '../store/index.js';
import type { Actor } from './audit.js';
import type { KeyResolver } from './auth.js';

/** The Fastify instance the routes are registered on, typed by its TypeBox schemas. */
export type Api = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse<IncomingMessage>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the routes work with. */
export interface ApiDeps {
  engine: Engine;
  governance: GovernanceStore;
  registry: ContractRegistry;
  bus?: Bus;
  /** The connector registry: live breaker states and replays of dead-lettered calls. */
  connectors?: Connectors;
  log: Logger;
  config: Readonly<BatonConfig>;
  clock: Clock;
  keys: KeyResolver;
  /** The request validator compiler (routes that validate part of a request themselves reuse it). */
  validator: FastifySchemaCompiler<unknown>;
}

/** The principal and request id a change is recorded under. */
export function actorOf(req: FastifyRequest): Actor {
  return { name: req.principal?.name ?? 'anonymous', requestId: req.id };
}

/** One security requirement for every route that needs a key: a bearer token or the X-Api-Key header. */
export const secured: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
