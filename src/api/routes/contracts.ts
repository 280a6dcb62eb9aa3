import { Type } from '@sinclair/typebox';
import { NotFoundError, ValidationError } from '../../core/index.js';
import type { CompatibilityMode } from '../../store/index.js';
import { recordChange } from '../audit.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import {
  ContractType,
  ContractVersion,
  CompatibilityMode as Mode,
  problems,
  ref,
  SchemaChange,
} from '../schemas.js';

const TypeParam = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{0,99}$',
  description: 'For example order.created',
});
const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON Schema 2020-12' });

/** Event contracts: the catalogue, versions, compatibility checks and lifecycle. */
export function contractRoutes(app: Api, { registry, governance, clock }: ApiDeps): void {
  app.get(
    '/v1/contracts',
    {
      config: { permission: 'contracts:read' },
      schema: {
        tags: ['contracts'],
        summary: 'List the event types with their owner, lifecycle and compatibility mode',
        security: secured,
        response: { 200: Type.Object({ items: Type.Array(ref(ContractType)) }), ...problems() },
      },
    },
    async () => ({ items: await registry.listTypes() }),
  );

  app.get(
    '/v1/contracts/:type',
    {
      config: { permission: 'contracts:read' },
      schema: {
        tags: ['contracts'],
        summary: 'One event type with every version of its schema',
        security: secured,
        params: Type.Object({ type: TypeParam }),
        response: {
          200: Type.Object({ contract: ref(ContractType), versions: Type.Array(ref(ContractVersion)) }),
          ...problems(404),
        },
      },
    },
    async (req) => {
      const contract = await registry.getType(req.params.type);
      return { contract, versions: await registry.listVersions(contract.type) };
    },
  );

  app.get(
    '/v1/contracts/:type/versions/:version',
    {
      config: { permission: 'contracts:read' },
      schema: {
        tags: ['contracts'],
        summary: 'One version of an event schema (`latest` for the newest)',
        security: secured,
        params: Type.Object({
          type: TypeParam,
          version: Type.String({ pattern: '^([1-9][0-9]{0,8}|latest)$' }),
        }),
        response: { 200: ref(ContractVersion), ...problems(404) },
      },
    },
    async (req) => {
      const { type, version } = req.params;
      return registry.getVersion(type, version === 'latest' ? undefined : Number(version));
    },
  );

  app.post(
    '/v1/contracts/:type/versions',
    {
      config: { permission: 'contracts:write' },
      schema: {
        tags: ['contracts'],
        summary: 'Register the next version of an event schema',
        description:
          'A schema that breaks the type’s compatibility mode is refused with 409 and `changes` listing every breaking change. Registering the latest schema again returns it with 200. A new type needs `owner` and `description`.',
        security: secured,
        params: Type.Object({ type: TypeParam }),
        body: Type.Object(
          {
            schema: JsonSchema,
            example: Type.Optional(Type.Unknown()),
            owner: Type.Optional(Type.String({ minLength: 1 })),
            description: Type.Optional(Type.String({ minLength: 1 })),
            compatibility: Type.Optional(Mode),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ version: ref(ContractVersion), created: Type.Literal(false) }),
          201: Type.Object({ version: ref(ContractVersion), created: Type.Literal(true) }),
          ...problems(409, 422),
        },
      },
    },
    async (req, reply) => {
      const { type } = req.params;
      const b = req.body;
      const previous = await governance.getContractVersion(type);
      const input: Parameters<typeof registry.register>[0] = {
        type,
        schema: b.schema,
        by: req.principal!.name,
      };
      if (b.example !== undefined) input.example = b.example;
      if (b.owner !== undefined) input.owner = b.owner;
      if (b.description !== undefined) input.description = b.description;
      if (b.compatibility !== undefined) input.compatibility = b.compatibility as CompatibilityMode;
      const { version, created } = await registry.register(input);
      if (!created) return reply.code(200).send({ version, created: false as const });
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'contract.registered',
        target: { kind: 'contract', id: `${type}@${version.version}` },
        before: {
          latest: previous ? { version: previous.version, fingerprint: previous.fingerprint } : null,
        },
        after: { version: version.version, fingerprint: version.fingerprint, schema: version.schema },
      });
      return reply
        .code(201)
        .header('location', `/v1/contracts/${type}/versions/${version.version}`)
        .send({ version, created: true as const });
    },
  );

  app.post(
    '/v1/contracts/diff',
    {
      config: { permission: 'contracts:read' },
      schema: {
        tags: ['contracts'],
        summary: 'Compare two schemas under a compatibility mode',
        description:
          'The old schema is `oldSchema`, or version `fromVersion` (default: latest) of `type`. The mode defaults to the type’s mode, else BACKWARD.',
        security: secured,
        body: Type.Object(
          {
            newSchema: JsonSchema,
            oldSchema: Type.Optional(JsonSchema),
            type: Type.Optional(TypeParam),
            fromVersion: Type.Optional(Type.Integer({ minimum: 1 })),
            mode: Type.Optional(Mode),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            compatible: Type.Boolean(),
            mode: Mode,
            changes: Type.Array(SchemaChange),
          }),
          ...problems(404),
        },
      },
    },
    async (req) => {
      const b = req.body;
      if ((b.oldSchema === undefined) === (b.type === undefined))
        throw new ValidationError('give either oldSchema or the type (and fromVersion) to compare with', [
          {
            path: b.oldSchema === undefined ? '/oldSchema' : '/type',
            message: 'exactly one of oldSchema and type',
          },
        ]);
      let old = b.oldSchema;
      let mode = b.mode as CompatibilityMode | undefined;
      if (b.type !== undefined) {
        const version = await registry.getVersion(b.type, b.fromVersion);
        old = version.schema;
        mode ??= (await registry.getType(b.type)).compatibility;
      }
      if (!old) throw new NotFoundError('schema to compare with', b.type ?? '');
      const m = mode ?? 'BACKWARD';
      return { mode: m, ...registry.diff(old, b.newSchema, m) };
    },
  );

  app.post(
    '/v1/contracts/:type/deprecate',
    {
      config: { permission: 'contracts:write' },
      schema: {
        tags: ['contracts'],
        summary: 'Deprecate an event type: accepted until its sunset, then refused',
        security: secured,
        params: Type.Object({ type: TypeParam }),
        body: Type.Object(
          {
            sunsetAt: Type.String({ format: 'date-time', description: 'When the type stops being accepted' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(ContractType), ...problems(404, 409, 422) },
      },
    },
    async (req) => {
      const before = await registry.getType(req.params.type);
      const after = await registry.setLifecycle(before.type, 'deprecated', {
        sunsetAt: Date.parse(req.body.sunsetAt),
        by: req.principal!.name,
      });
      await recordChange(governance, actorOf(req), clock.now(), {
        action: 'contract.deprecated',
        target: { kind: 'contract', id: before.type },
        before: { lifecycle: before.lifecycle, sunsetAt: before.sunsetAt ?? null },
        after: { lifecycle: after.lifecycle, sunsetAt: after.sunsetAt ?? null },
      });
      return after;
    },
  );
}
