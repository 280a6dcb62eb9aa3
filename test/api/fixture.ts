import { after } from 'node:test';
import { Type } from '@sinclair/typebox';
import type { InjectOptions } from 'fastify';
import { createApiServer, createKey, ensureFirstAdminKey } from '../../src/api/index.js';
import { Bus } from '../../src/bus/index.js';
import { ContractRegistry, catalogue } from '../../src/contracts/index.js';
import type { ConfigOverrides } from '../../src/core/index.js';
import { defineWorkflow } from '../../src/engine/index.js';
import { startEngine, startEngineOn, type TestBackend } from '../helpers.js';

/** A finance approval: one task for `role`, the outcome is the result. */
export const approval = defineWorkflow({
  name: 'test.approval',
  version: 1,
  input: Type.Object({ role: Type.String(), amount: Type.Number() }),
  tags: (i) => ({ role: i.role }),
  async run(ctx, input) {
    const decision = await ctx.task({
      kind: 'approval',
      title: `Approve ${input.amount}`,
      role: input.role,
      outcomes: ['approve', 'reject'],
      form: { type: 'object', properties: { comment: { type: 'string', maxLength: 20 } } },
    });
    return decision.outcome;
  },
});

/** Waits for an event of `type` whose data has `value` at `path`. */
export const waiter = defineWorkflow({
  name: 'test.waiter',
  version: 1,
  input: Type.Object({ type: Type.String(), path: Type.String(), value: Type.String() }),
  async run(ctx, input) {
    const e = await ctx.waitForEvent(input.type, { match: { [input.path]: input.value }, timeout: '1h' });
    return e ? 'received' : 'timed out';
  },
});

/** Fails its second step until `erp.up` is set; for retry and restart. */
export const erp = { up: false, posts: 0 };
export const posting = defineWorkflow({
  name: 'test.posting',
  version: 1,
  async run(ctx) {
    await ctx.step('validate', () => 'ok');
    return ctx.step(
      'post-invoice',
      () => {
        erp.posts++;
        if (!erp.up) throw new Error('ERP rejected the posting period');
        return 'posted';
      },
      { retry: { maxAttempts: 1 } },
    );
  },
});

/** Started by a trigger for every `order.created` event; records which event started it. */
export const onOrder = defineWorkflow({
  name: 'test.on-order',
  version: 1,
  input: Type.Object({ eventId: Type.String() }),
  tags: (i) => ({ eventId: i.eventId }),
  run: async (_ctx, input) => input.eventId,
});

export const workflows = [approval, waiter, posting, onOrder];

/** The catalogue's own example of a type: valid by construction. */
export function exampleOf(type: string): Record<string, unknown> {
  const entry = catalogue.find((c) => c.type === type);
  if (!entry) throw new Error(`the catalogue has no ${type}`);
  return structuredClone(entry.example) as Record<string, unknown>;
}

/** A top-level string field of a type's example, to match a wait on. */
export function matchField(type: string): { path: string; value: string } {
  const [path, value] = Object.entries(exampleOf(type)).find(([, v]) => typeof v === 'string') ?? [];
  if (!path) throw new Error(`the ${type} example has no top-level string field`);
  return { path, value: value as string };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in tests
  body: any;
  text: string;
}

/**
 * The API on an engine over a real SQLite file, with the catalogue seeded and the first admin key.
 * `call` sends a request through `inject`, as the given key.
 */
export async function apiFixture(
  opts: { config?: ConfigOverrides; bus?: (bus: Bus) => void; backend?: TestBackend } = {},
) {
  const config = opts.config ?? {};
  const { engine, store, path } = opts.backend
    ? await startEngineOn(opts.backend, workflows, { config })
    : startEngine(workflows, { config });
  const governance = store.governance;
  const registry = new ContractRegistry(governance, { clock: engine.clock });
  await registry.seed('test');
  let bus: Bus | undefined;
  if (opts.bus) {
    bus = new Bus({ engine });
    opts.bus(bus);
    await bus.start();
    const started = bus;
    after(() => started.stop());
  }
  const app = createApiServer({ engine, registry, ...(bus ? { bus } : {}) });
  after(() => app.close());
  await app.ready();
  const admin = (await ensureFirstAdminKey(governance, Date.now()))!.secret;
  let n = 0;
  const keyFor = async (roles: string[], scopes: string[] = [], principal?: string) =>
    (
      await createKey(
        governance,
        { name: `test-${++n}`, roles, scopes, ...(principal ? { principal } : {}) },
        { name: 'test' },
        Date.now(),
      )
    ).secret;

  const call = async (
    key: string | undefined,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const h: Record<string, string> = { ...headers };
    if (key) h.authorization = `Bearer ${key}`;
    const o: InjectOptions = { method, url, headers: h };
    if (body !== undefined) {
      o.payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const r = await app.inject(o);
    let parsed: unknown = r.body;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      // not JSON (the docs page)
    }
    return { status: r.statusCode, headers: r.headers, body: parsed, text: r.body };
  };
  return { app, engine, store, governance, registry, bus, path, admin, keyFor, call };
}

export type ApiFixture = Awaited<ReturnType<typeof apiFixture>>;

let ids = 0;
/** A structured CloudEvent of `type` with the catalogue example as data. */
export function cloudEvent(type: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `evt-${process.pid}-${++ids}`,
    source: '/test/shop',
    type: `com.baton.retail.${type}`,
    data: exampleOf(type),
    ...over,
  };
}
