import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ContractValidators, catalogue, JSON_SCHEMA_2020_12 } from '../../src/contracts/index.js';

const TYPES = [
  'order.created',
  'order.confirmed',
  'order.exception_raised',
  'promotion.approved',
  'promotion.launched',
  'price.changed',
  'inventory.threshold_breached',
  'transfer.requested',
  'transfer.approved',
  'transfer.shipped',
  'transfer.received',
  'transfer.arrived',
  'return.requested',
  'return.authorized',
  'return.arrived',
  'return.received',
  'return.refunded',
  'shipment.delayed',
  'purchase_order.issued',
  'purchase_order.acknowledged',
  'asn.received',
  'invoice.posted',
];

/** The schema as JSON, the way it is stored and served (TypeBox's symbol keys dropped). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** A validator of our own, strict about the schema and asserting formats, apart from the registry's. */
function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  return ajv;
}

/** Every subschema of type object, with its pointer. */
function objects(node: unknown, at = '#'): Array<{ at: string; schema: Record<string, unknown> }> {
  if (typeof node !== 'object' || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((v, i) => objects(v, `${at}/${i}`));
  const s = node as Record<string, unknown>;
  const here = s.type === 'object' ? [{ at, schema: s }] : [];
  return [
    ...here,
    ...Object.entries(s)
      .filter(([k]) => k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'default')
      .flatMap(([k, v]) => objects(v, `${at}/${k}`)),
  ];
}

describe('the retail event catalogue', () => {
  test('has the twenty-two types of the five flows, each once', () => {
    assert.deepEqual(
      catalogue.map((c) => c.type),
      TYPES,
    );
  });

  for (const entry of catalogue) {
    describe(entry.type, () => {
      const schema = asJson(entry.schema);

      test('has an owning team and a description', () => {
        assert.match(entry.owner, /^[a-z]+(-[a-z]+)*$/, 'a team name such as commerce-platform');
        assert.ok(entry.description.trim().length >= 20, 'a sentence, not a placeholder');
        assert.equal(schema.title, entry.type);
        assert.equal(typeof schema.description, 'string');
      });

      test('its example validates against its JSON Schema 2020-12', () => {
        assert.equal(schema.$schema, JSON_SCHEMA_2020_12);
        const validate = validator().compile(schema);
        assert.ok(validate(structuredClone(entry.example)), JSON.stringify(validate.errors));
        assert.deepEqual(new ContractValidators().checkSchema(schema), [], 'the registry takes the schema');
      });

      test('the example stops validating without a required field or with an unknown one', () => {
        const validate = validator().compile(schema);
        const required = schema.required as string[];
        assert.ok(required.length > 0);
        for (const name of required) {
          const example = structuredClone(entry.example) as Record<string, unknown>;
          delete example[name];
          assert.equal(validate(example), false, `without ${name}`);
        }
        assert.equal(validate({ ...(entry.example as object), unexpected: 1 }), false);
      });

      test('every object with named properties is closed, so later versions may add optional ones', () => {
        const open = objects(schema).filter(
          (o) => o.schema.properties !== undefined && o.schema.additionalProperties !== false,
        );
        assert.deepEqual(
          open.map((o) => o.at),
          [],
        );
      });
    });
  }
});
