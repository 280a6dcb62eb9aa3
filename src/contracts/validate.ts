/**
 * JSON Schema 2020-12 validation of event data (Ajv), with compiled validators cached per
 * `type@version` and every problem reported as a JSON pointer into the data.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidationIssue } from '../core/index.js';

export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Ajv's errors as issues: the pointer names the missing or unexpected property itself. */
export function toIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => {
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        return {
          path: `${e.instancePath}/${escapePointer(String(p.missingProperty))}`,
          message: 'is required',
        };
      case 'dependentRequired':
        return {
          path: `${e.instancePath}/${escapePointer(String(p.missingProperty))}`,
          message: `is required when ${String(p.property)} is present`,
        };
      case 'additionalProperties':
        return {
          path: `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`,
          message: 'is not a property this schema allows',
        };
      default:
        return { path: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
    }
  });
}

/**
 * Validators for registered schemas. Defaults are filled in on a copy of the data before checking,
 * so a property added as required with a default (a compatible change) accepts older events.
 */
export class ContractValidators {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, logger: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
  }

  /**
   * What is wrong with a schema itself, with pointers prefixed by `at`: not JSON Schema 2020-12,
   * a format Baton cannot check, a `$ref` that does not resolve, an invalid pattern.
   */
  checkSchema(schema: unknown, at = ''): ValidationIssue[] {
    if (typeof schema === 'boolean') return [];
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
      return [{ path: at, message: 'must be a JSON Schema: an object or a boolean' }];
    const s = schema as Record<string, unknown>;
    if (s.$schema !== undefined && s.$schema !== JSON_SCHEMA_2020_12)
      return [{ path: `${at}/$schema`, message: `must be ${JSON_SCHEMA_2020_12} (or absent)` }];
    if (!this.ajv.validateSchema(s))
      return toIssues(this.ajv.errors).map((i) => ({ path: `${at}${i.path}`, message: i.message }));
    const issues = this.unknownFormats(s, at);
    if (issues.length > 0) return issues;
    try {
      this.compile(s);
      return [];
    } catch (err) {
      return [
        { path: at, message: `cannot be compiled: ${err instanceof Error ? err.message : String(err)}` },
      ];
    }
  }

  /** Problems of `data` against version `version` of `type`, whose schema is `schema`. */
  validate(type: string, version: number, schema: Record<string, unknown> | boolean, data: unknown) {
    const key = `${type}@${version}`;
    let check = this.compiled.get(key);
    if (!check) {
      check = this.compile(schema);
      this.compiled.set(key, check);
    }
    return check(structuredClone(data)) ? [] : toIssues(check.errors);
  }

  /** Problems of `data` against a schema that is not registered (an example, a draft). */
  validateOnce(schema: Record<string, unknown> | boolean, data: unknown): ValidationIssue[] {
    const check = this.compile(schema);
    return check(structuredClone(data)) ? [] : toIssues(check.errors);
  }

  private compile(schema: Record<string, unknown> | boolean): ValidateFunction {
    // schemas with the same $id (two versions of one contract) must not collide in Ajv's registry
    if (typeof schema === 'object' && typeof schema.$id === 'string') this.ajv.removeSchema(schema.$id);
    return this.ajv.compile(schema);
  }

  private unknownFormats(schema: unknown, at: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) {
        node.forEach((v, i) => {
          walk(v, `${path}/${i}`);
        });
      }
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'format' && typeof v === 'string' && !(v in this.ajv.formats))
          issues.push({ path: `${path}/format`, message: `unknown format "${v}"` });
        else if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples')
          walk(v, `${path}/${escapePointer(k)}`);
      }
    };
    walk(schema, at);
    return issues;
  }
}
