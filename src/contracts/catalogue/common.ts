/**
 * Building blocks shared by the retail event types. Every object is closed
 * (`additionalProperties: false`): under BACKWARD compatibility a closed object may gain optional
 * fields in later versions, and a producer's misspelt field is caught instead of ignored.
 */
import {
  type ObjectOptions,
  type Static,
  type TObject,
  type TProperties,
  type TSchema,
  Type,
} from '@sinclair/typebox';

/** A closed object. */
export const Obj = <T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** A string enum as `{ type: 'string', enum: [...] }` (TypeBox's own unions become anyOf of consts). */
export const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    ...(description === undefined ? {} : { description }),
  });

export const Timestamp = (description?: string) =>
  Type.String({ format: 'date-time', ...(description === undefined ? {} : { description }) });

export const CalendarDate = (description?: string) =>
  Type.String({ format: 'date', ...(description === undefined ? {} : { description }) });

export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description === undefined ? {} : { description }) });

/** An amount as a decimal string (never a binary float) with its ISO 4217 currency. */
export const Money = Obj(
  {
    amount: Type.String({
      pattern: '^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,4})?$',
      description: 'Decimal amount, at most four fraction digits, e.g. "129.90"',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
  },
  { description: 'A monetary amount' },
);
export type Money = Static<typeof Money>;

/** A count or measure with its unit (UN/ECE Recommendation 20 or X12 unit codes: EA, CS, PK, KGM, …). */
export const Quantity = Obj(
  {
    value: Type.Number({ minimum: 0, description: 'How many, or how much' }),
    uom: Type.String({ pattern: '^[A-Z0-9]{2,3}$', description: 'Unit of measure, e.g. EA, CS, KGM' }),
  },
  { description: 'A quantity with its unit of measure' },
);
export type Quantity = Static<typeof Quantity>;

export const Sku = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$',
  description: 'The retailer’s stock keeping unit',
});
export const Gtin = Type.String({
  pattern: '^([0-9]{8}|[0-9]{12,14})$',
  description: 'GS1 GTIN-8, -12 (UPC), -13 (EAN) or -14',
});
export const Gln = Type.String({ pattern: '^[0-9]{13}$', description: 'GS1 Global Location Number' });
export const Sscc = Type.String({
  pattern: '^[0-9]{18}$',
  description: 'GS1 Serial Shipping Container Code of a pallet or carton',
});
export const LocationId = Type.String({
  pattern: '^(ST|DC|WH|SUP)-[A-Z0-9-]{1,20}$',
  description: 'A Baton location: store ST-…, distribution centre DC-…, warehouse WH-…, supplier SUP-…',
});
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

/** The document in the system of record this event came from or produced, by its own id. */
export const DocumentRef = Obj(
  {
    system: Enum(
      [
        'sap-s4',
        'odoo',
        'erpnext',
        'shopify',
        'medusa',
        'pos',
        'wms',
        'oms',
        'crm',
        'edi-x12',
        'supplier-portal',
        'carrier',
        'payments',
        'baton',
      ],
      'The system that owns the document',
    ),
    id: Text(
      128,
      'The document id as that system writes it: 4500001234, gid://shopify/Order/…, SO/2026/0042',
    ),
    documentType: Type.Optional(
      Text(40, 'What kind of document: sales-order, purchase-order, stock-transfer, goods-receipt, …'),
    ),
    number: Type.Optional(Text(64, 'The number people see, when it differs from the id (#1042)')),
  },
  { description: 'A document in a source system' },
);
export type DocumentRef = Static<typeof DocumentRef>;

/** The control numbers of an X12 interchange, kept so acknowledgements and audits can find it. */
export const X12Envelope = Obj(
  {
    transactionSet: Enum(['850', '855', '856', '810', '180'], 'X12 transaction set id (ST01)'),
    interchangeControlNumber: Type.String({ pattern: '^[0-9]{9}$', description: 'ISA13' }),
    groupControlNumber: Type.String({ pattern: '^[0-9]{1,9}$', description: 'GS06' }),
    transactionSetControlNumber: Type.String({ pattern: '^[0-9A-Za-z]{4,9}$', description: 'ST02' }),
    senderId: Text(15, 'ISA06, the sender’s interchange id'),
    receiverId: Text(15, 'ISA08, the receiver’s interchange id'),
  },
  { description: 'X12 EDI envelope control numbers' },
);
export type X12Envelope = Static<typeof X12Envelope>;

export const Address = Obj({
  name: Type.Optional(Text(120)),
  line1: Text(200),
  line2: Type.Optional(Text(200)),
  city: Text(100),
  region: Type.Optional(Text(100, 'State, province or county')),
  postalCode: Text(20),
  country: CountryCode,
});

export const Party = Obj({
  id: Text(64, 'The party’s id in the system of record (SAP business partner, Odoo res.partner, …)'),
  name: Type.Optional(Text(200)),
  gln: Type.Optional(Gln),
});

export const Carrier = Obj({
  name: Text(100),
  scac: Type.Optional(Type.String({ pattern: '^[A-Z]{2,4}$', description: 'Standard Carrier Alpha Code' })),
  service: Type.Optional(Text(60, 'Service level, e.g. ground, express, LTL')),
  trackingNumber: Type.Optional(Text(64)),
});

export const Channel = Enum(
  ['pos', 'web', 'mobile-app', 'marketplace', 'b2b-edi', 'call-centre'],
  'Sales channel',
);

/** An item with the identifiers systems use for it. */
export const ItemIds = {
  sku: Sku,
  gtin: Type.Optional(Gtin),
};

/** One event type of the built-in catalogue. */
export interface CatalogueEntry<S extends TSchema = TSchema> {
  /** Baton's short type, e.g. `order.created` (CloudEvents `type` com.baton.retail.order.created). */
  type: string;
  /** The owning team. */
  owner: string;
  description: string;
  /** JSON Schema 2020-12, declared with TypeBox so the TypeScript type comes from the same place. */
  schema: S;
  /** A realistic event that validates. */
  example: Static<S>;
}

/** The top-level schema of an event type's data. */
export const EventData = <T extends TProperties>(type: string, description: string, properties: T) =>
  Obj(properties, {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: type,
    description,
  });

export const defineEntry = <S extends TSchema>(entry: CatalogueEntry<S>): CatalogueEntry<S> => entry;
