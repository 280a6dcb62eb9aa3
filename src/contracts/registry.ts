/**
 * The contract registry: event types with an owner, a lifecycle and a compatibility mode, and
 * their numbered JSON Schema versions, kept in the governance store. A version that breaks the
 * type's mode is refused with every breaking change listed.
 */
import { createHash } from 'node:crypto';
import {
  type Clock,
  ConflictError,
  NotFoundError,
  systemClock,
  ValidationError,
  type ValidationIssue,
} from '../core/index.js';
import {
  type CompatibilityMode,
  type ContractLifecycle,
  type ContractTypeRecord,
  type ContractVersionRecord,
  canonicalJson,
  type GovernanceStore,
} from '../store/index.js';
import { type AsyncApiOptions, asyncApiDocument } from './asyncapi.js';
import { catalogue } from './catalogue/index.js';
import { checkCompatibility, compareUnderMode, isCompatibilityMode } from './compatibility.js';
import { ContractValidators } from './validate.js';

/** A change that breaks the mode, as listed by IncompatibleSchemaError. */
export interface BreakingChange {
  kind: string;
  path: string;
  direction: 'backward' | 'forward';
  /** The registered version it breaks against. */
  version?: number;
  detail?: string;
}

/** A version refused because it breaks the type's compatibility mode (HTTP 409). */
export class IncompatibleSchemaError extends ConflictError {
  readonly changes: BreakingChange[];
  constructor(type: string, mode: CompatibilityMode, changes: BreakingChange[]) {
    const shown = changes.slice(0, 5).map((c) => `${c.kind} ${c.path}`);
    const more = changes.length > shown.length ? `, and ${changes.length - shown.length} more` : '';
    super(`the new schema of ${type} breaks ${mode} compatibility: ${shown.join(', ')}${more}`, {
      type,
      mode,
      changes,
    });
    this.changes = changes;
  }
}

export interface RegisterInput {
  type: string;
  schema: object;
  example?: unknown;
  /** Required for a new type. */
  owner?: string;
  /** Required for a new type. */
  description?: string;
  compatibility?: CompatibilityMode;
  /** The lifecycle a new type starts in (default active). */
  lifecycle?: 'draft' | 'active';
  by: string;
}

export type EventVerdict =
  | { ok: true; version: number }
  | { ok: false; version?: number; issues: ValidationIssue[] };

const TYPE_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const LIFECYCLES: readonly ContractLifecycle[] = ['draft', 'active', 'deprecated', 'retired'];

/** From each lifecycle, where a type may go. Retired is final. */
const TRANSITIONS: Record<ContractLifecycle, readonly ContractLifecycle[]> = {
  draft: ['active', 'retired'],
  active: ['deprecated', 'retired'],
  deprecated: ['active', 'deprecated', 'retired'],
  retired: [],
};

interface CachedContract {
  type: ContractTypeRecord | undefined;
  latest: ContractVersionRecord | undefined;
}

export const schemaFingerprint = (schema: unknown) =>
  createHash('sha256').update(canonicalJson(schema)).digest('hex');

export class ContractRegistry {
  private readonly clock: Clock;
  private readonly validators = new ContractValidators();
  private readonly cacheMs: number;
  /** What validating an event reads, per type, fetched at most once per `cacheMs`. */
  private readonly cached = new Map<string, { at: number; entry: Promise<CachedContract> }>();
  /** Registered versions never change, so they are kept once read. */
  private readonly versions = new Map<string, Promise<ContractVersionRecord | undefined>>();

  /**
   * `cacheMs` (default 1 s) is how long validation trusts what it read of a type and its latest
   * version: changes made through this registry apply at once, those made by another process
   * within that time.
   */
  constructor(
    private readonly governance: GovernanceStore,
    options: { clock?: Clock; cacheMs?: number } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.cacheMs = options.cacheMs ?? 1000;
  }

  private contract(type: string): Promise<CachedContract> {
    const now = this.clock.now();
    const hit = this.cached.get(type);
    if (hit && now - hit.at < this.cacheMs) return hit.entry;
    const entry = Promise.all([
      this.governance.getContractType(type),
      this.governance.getContractVersion(type),
    ]).then(([t, latest]) => ({ type: t, latest }));
    this.cached.set(type, { at: now, entry });
    // a failed read is not remembered
    entry.catch(() => this.cached.delete(type));
    return entry;
  }

  /** Writes a type record; validation reads it afresh. */
  private async putType(record: ContractTypeRecord): Promise<ContractTypeRecord> {
    try {
      return await this.governance.putContractType(record);
    } finally {
      this.cached.delete(record.type);
    }
  }

  private async addVersion(
    ...args: Parameters<GovernanceStore['addContractVersion']>
  ): ReturnType<GovernanceStore['addContractVersion']> {
    try {
      return await this.governance.addContractVersion(...args);
    } finally {
      this.cached.delete(args[0].type);
    }
  }

  private version(type: string, version: number): Promise<ContractVersionRecord | undefined> {
    const key = `${type}@${version}`;
    let v = this.versions.get(key);
    if (!v) {
      v = this.governance.getContractVersion(type, version);
      this.versions.set(key, v);
      v.then(
        (found) => found ?? this.versions.delete(key),
        () => this.versions.delete(key),
      );
    }
    return v;
  }

  /** Registers the built-in catalogue types whose latest stored schema differs (idempotent). */
  async seed(by = 'system'): Promise<void> {
    for (const entry of catalogue) {
      const schema = plain(entry.schema) as object;
      const latest = await this.governance.getContractVersion(entry.type);
      if (latest?.fingerprint === schemaFingerprint(schema)) continue;
      await this.register({
        type: entry.type,
        schema,
        example: entry.example,
        owner: entry.owner,
        description: entry.description,
        by,
      });
    }
  }

  listTypes(): Promise<ContractTypeRecord[]> {
    return this.governance.listContractTypes();
  }

  async getType(type: string): Promise<ContractTypeRecord> {
    const t = await this.governance.getContractType(type);
    if (!t) throw new NotFoundError('contract', type);
    return t;
  }

  /** The given version, or the latest. */
  async getVersion(type: string, version?: number): Promise<ContractVersionRecord> {
    const v = await this.governance.getContractVersion(type, version);
    if (!v) throw new NotFoundError('contract version', `${type}@${version ?? 'latest'}`);
    return v;
  }

  async listVersions(type: string): Promise<ContractVersionRecord[]> {
    await this.getType(type);
    return this.governance.listContractVersions(type);
  }

  /**
   * Adds the next version of a type (creating the type when new). Registering the latest schema
   * again returns it with `created: false`. Refused with ValidationError for a malformed type name,
   * schema or example, and with IncompatibleSchemaError when the schema breaks the type's mode.
   */
  async register(input: RegisterInput): Promise<{ version: ContractVersionRecord; created: boolean }> {
    const issues: ValidationIssue[] = [];
    if (typeof input.type !== 'string' || !TYPE_NAME.test(input.type) || input.type.length > 100)
      issues.push({ path: '/type', message: 'must be lower-case words joined by dots, e.g. order.created' });
    if (typeof input.by !== 'string' || input.by.length === 0)
      issues.push({ path: '/by', message: 'is required: who registers the version' });
    if (input.compatibility !== undefined && !isCompatibilityMode(input.compatibility))
      issues.push({
        path: '/compatibility',
        message: `"${input.compatibility}" is not a compatibility mode`,
      });
    issues.push(...this.validators.checkSchema(input.schema, '/schema'));
    if (issues.length > 0) throw invalid(`cannot register ${input.type}`, issues);

    const schema = plain(input.schema) as Record<string, unknown>;
    if (input.example !== undefined) {
      const wrong = this.validators.validateOnce(schema, input.example);
      if (wrong.length > 0)
        throw invalid(
          `the example of ${input.type} does not match its schema`,
          wrong.map((i) => ({ path: `/example${i.path}`, message: i.message })),
        );
    }

    const existing = await this.governance.getContractType(input.type);
    const now = this.clock.now();
    let record: ContractTypeRecord;
    if (existing) {
      if (existing.lifecycle === 'retired')
        throw new ConflictError(`contract ${input.type} is retired and takes no new versions`, {
          type: input.type,
        });
      record = {
        ...existing,
        owner: input.owner ?? existing.owner,
        description: input.description ?? existing.description,
        compatibility: input.compatibility ?? existing.compatibility,
      };
    } else {
      const missing: ValidationIssue[] = [];
      if (!input.owner)
        missing.push({ path: '/owner', message: 'is required for a new type: the owning team' });
      if (!input.description) missing.push({ path: '/description', message: 'is required for a new type' });
      if (missing.length > 0) throw invalid(`${input.type} is a new type`, missing);
      record = {
        type: input.type,
        owner: input.owner!,
        description: input.description!,
        compatibility: input.compatibility ?? 'BACKWARD',
        lifecycle: input.lifecycle ?? 'active',
        createdAt: now,
        updatedAt: now,
      };
    }
    const changed =
      !existing ||
      existing.owner !== record.owner ||
      existing.description !== record.description ||
      existing.compatibility !== record.compatibility;
    if (changed) record.updatedAt = now;

    const fingerprint = schemaFingerprint(schema);
    const versions = existing ? await this.governance.listContractVersions(input.type) : [];
    const latest = versions.at(-1);
    if (latest?.fingerprint === fingerprint) {
      if (changed) await this.putType(record);
      return { version: latest, created: false };
    }
    const verdict = checkCompatibility(record.compatibility, schema, versions);
    if (!verdict.compatible)
      throw new IncompatibleSchemaError(
        input.type,
        record.compatibility,
        verdict.changes
          .filter((c) => !c.compatible)
          .map(({ kind, path, direction, version, detail }) => ({
            kind,
            path,
            direction,
            ...(version === undefined ? {} : { version }),
            ...(detail === undefined ? {} : { detail }),
          })),
      );

    if (changed) await this.putType(record);
    const version = await this.addVersion(
      {
        type: input.type,
        schema,
        ...(input.example === undefined ? {} : { example: plain(input.example) }),
        fingerprint,
        createdAt: now,
        createdBy: input.by,
      },
      latest?.version ?? 0,
    );
    return { version, created: true };
  }

  /**
   * Moves a type through its lifecycle: draft → active → deprecated (with a sunset in the future)
   * → retired, or back from deprecated to active. Retired is final.
   */
  async setLifecycle(
    type: string,
    lifecycle: ContractLifecycle,
    options: { sunsetAt?: number; by: string },
  ): Promise<ContractTypeRecord> {
    if (!LIFECYCLES.includes(lifecycle))
      throw invalid(`"${lifecycle}" is not a lifecycle`, [
        { path: '/lifecycle', message: `must be one of ${LIFECYCLES.join(', ')}` },
      ]);
    requireActor(options.by);
    const current = await this.getType(type);
    if (current.lifecycle === lifecycle && lifecycle !== 'deprecated') return current;
    if (!TRANSITIONS[current.lifecycle].includes(lifecycle))
      throw new ConflictError(
        current.lifecycle === 'retired'
          ? `contract ${type} is retired; retirement is final`
          : `contract ${type} cannot go from ${current.lifecycle} to ${lifecycle}`,
        { type, from: current.lifecycle, to: lifecycle },
      );
    const now = this.clock.now();
    const next: ContractTypeRecord = { ...current, lifecycle, updatedAt: now };
    delete next.sunsetAt;
    if (lifecycle === 'deprecated') {
      const { sunsetAt } = options;
      if (typeof sunsetAt !== 'number' || !Number.isFinite(sunsetAt) || sunsetAt <= now)
        throw invalid(`deprecating ${type} needs a sunset date in the future`, [
          { path: '/sunsetAt', message: 'must be a time after now: when the type stops being accepted' },
        ]);
      next.sunsetAt = sunsetAt;
    }
    return this.putType(next);
  }

  async setCompatibility(type: string, mode: CompatibilityMode, by: string): Promise<ContractTypeRecord> {
    if (!isCompatibilityMode(mode))
      throw invalid(`"${mode}" is not a compatibility mode`, [
        {
          path: '/compatibility',
          message: 'must be BACKWARD, FORWARD, FULL, one of their _TRANSITIVE forms, or NONE',
        },
      ]);
    requireActor(by);
    const current = await this.getType(type);
    if (current.compatibility === mode) return current;
    return this.putType({ ...current, compatibility: mode, updatedAt: this.clock.now() });
  }

  /**
   * Checks event data against a version of its contract (the latest when absent). Unknown and
   * retired types, missing versions and deprecated types past their sunset are refused.
   */
  async validateEvent(type: string, data: unknown, version?: number): Promise<EventVerdict> {
    const refuse = (message: string, v?: number): EventVerdict => ({
      ok: false,
      ...(v === undefined ? {} : { version: v }),
      issues: [{ path: '', message }],
    });
    const { type: t, latest } = await this.contract(type);
    if (!t) return refuse(`unknown event type ${type}: no contract is registered for it`);
    if (t.lifecycle === 'retired') return refuse(`event type ${type} is retired`);
    const now = this.clock.now();
    if (t.lifecycle === 'deprecated' && t.sunsetAt !== undefined && t.sunsetAt <= now)
      return refuse(
        `event type ${type} was deprecated and reached its sunset at ${new Date(t.sunsetAt).toISOString()}`,
      );
    const v =
      version === undefined || version === latest?.version ? latest : await this.version(type, version);
    if (!v)
      return refuse(
        version === undefined ? `event type ${type} has no schema yet` : `${type} has no version ${version}`,
        version,
      );
    const issues = this.validators.validate(type, v.version, v.schema, data);
    return issues.length === 0 ? { ok: true, version: v.version } : { ok: false, version: v.version, issues };
  }

  /** Compares two schemas under a mode, as a registration would. */
  diff(
    oldSchema: object,
    newSchema: object,
    mode: CompatibilityMode,
  ): {
    compatible: boolean;
    changes: Array<{
      kind: string;
      path: string;
      compatible: boolean;
      direction: 'backward' | 'forward';
      detail?: string;
    }>;
  } {
    if (!isCompatibilityMode(mode))
      throw invalid(`"${mode}" is not a compatibility mode`, [
        { path: '/mode', message: 'is not a compatibility mode' },
      ]);
    const { compatible, changes } = compareUnderMode(oldSchema, newSchema, mode);
    return {
      compatible,
      changes: changes.map(({ kind, path, compatible, direction, detail }) => ({
        kind,
        path,
        compatible,
        direction,
        ...(detail === undefined ? {} : { detail }),
      })),
    };
  }

  /** AsyncAPI 3.0 for every type that is not retired, with its latest version. */
  async asyncApi(options: AsyncApiOptions = {}): Promise<object> {
    const contracts = [];
    for (const type of await this.listTypes()) {
      if (type.lifecycle === 'retired') continue;
      const latest = await this.governance.getContractVersion(type.type);
      if (latest) contracts.push({ type, latest });
    }
    return asyncApiDocument(contracts, options);
  }
}

/** JSON as stored: TypeBox's symbol keys and undefined members dropped. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

const invalid = (what: string, issues: ValidationIssue[]) =>
  new ValidationError(`${what}: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, issues);

function requireActor(by: string): void {
  if (typeof by !== 'string' || by.length === 0)
    throw invalid('who makes the change is required', [{ path: '/by', message: 'is required' }]);
}
