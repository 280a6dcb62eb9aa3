import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { sharedSchemas } from './schemas.js';

/**
 * Request validation with JSON Schema 2020-12 (Ajv), reporting every problem at once. Query, path and
 * header values are text and are coerced to the schema's types; bodies are taken as sent.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const common = {
    allErrors: true,
    useDefaults: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
  };
  const body = new Ajv2020.default({ ...common, coerceTypes: false });
  const text = new Ajv2020.default({ ...common, coerceTypes: 'array' });
  for (const ajv of [body, text]) {
    addFormats.default(ajv);
    for (const s of sharedSchemas) ajv.addSchema(s);
  }
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return text.compile(schema as object);
    const validate = body.compile(schema as object);
    return validate;
  };
}
