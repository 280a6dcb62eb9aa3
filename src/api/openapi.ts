import { readFileSync } from 'node:fs';
import type { SwaggerOptions } from '@fastify/swagger';
import { PERMISSIONS, ROLES } from './roles.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const rolesTable = Object.entries(ROLES)
  .map(([role, grants]) => `| \`${role}\` | ${grants.map((g) => `\`${g}\``).join(', ')} |`)
  .join('\n');

const description = `Baton's HTTP API: ingest events against their contracts, manage contracts, start and operate
workflow runs, work the task inbox, manage API keys and read the audit log.

**Authentication.** Send an API key as \`Authorization: Bearer <key>\` or \`X-Api-Key: <key>\`. A key
belongs to a principal and carries roles; scopes narrow the permissions they name
(\`events:publish:order.*\` lets a producer publish order events only).

| role | grants |
|---|---|
${rolesTable}

Permissions: ${Object.entries(PERMISSIONS)
  .map(([p, d]) => `\`${p}\` (${d})`)
  .join('; ')}.

**Errors** are RFC 9457 \`application/problem+json\`. **POST** requests accept an \`Idempotency-Key\`
header: a repeat of the same request replays the first response (\`Idempotent-Replayed: true\`).
Requests are rate limited per key; a refusal is \`429\` with \`Retry-After\`.`;

/** The OpenAPI 3.1 document's frame; paths come from the route schemas. */
export const openApiOptions: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'Baton API', version, description },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, bk_…' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
    tags: [
      { name: 'events', description: 'Event ingestion and the quarantine' },
      { name: 'contracts', description: 'Event contracts: versions, compatibility, lifecycle' },
      { name: 'workflows', description: 'Workflow definitions and starting runs' },
      { name: 'runs', description: 'Searching and operating runs' },
      { name: 'tasks', description: 'The task inbox' },
      { name: 'keys', description: 'API keys' },
      { name: 'audit', description: 'The audit log' },
      { name: 'connectors', description: 'Health of connected systems and the dead-letter queue' },
      { name: 'health', description: 'Liveness and readiness' },
    ],
  },
  // shared schemas keep their $id as their component name
  refResolver: {
    buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
  },
};
