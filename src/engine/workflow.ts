import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValidationError } from '../core/index.js';
import type { Tags } from '../store/index.js';
import type { WorkflowContext } from './context.js';

export interface WorkflowSpec<S extends TSchema | undefined, O> {
  name: string;
  version: number;
  /** Schema of the start input: validated on start, and the source of the input's static type. */
  input?: S;
  /** Worker queue; workers claim only the queues they serve. */
  queue?: string;
  /** At most `limit` (default 1) runs at a time share a key, e.g. one run per order. */
  concurrency?: { key: (input: InputOf<S>) => string | undefined; limit?: number };
  /** Search attributes set when a run starts. */
  tags?: (input: InputOf<S>) => Tags;
  run(ctx: WorkflowContext, input: InputOf<S>): Promise<O>;
}

export type InputOf<S> = S extends TSchema ? Static<S> : unknown;

export interface WorkflowDefinition<I = unknown, O = unknown> {
  readonly name: string;
  readonly version: number;
  readonly key: string;
  readonly queue: string;
  readonly spec: WorkflowSpec<TSchema | undefined, O>;
  /** Throws a `ValidationError` naming every problem with its JSON pointer. */
  validate(input: unknown): I;
  concurrencyOf(input: I): { key?: string; limit?: number };
  tagsOf(input: I): Tags;
  run(ctx: WorkflowContext, input: I): Promise<O>;
}

const NAME = /^[a-z][a-z0-9_.-]{0,99}$/;

export function defineWorkflow<S extends TSchema | undefined = undefined, O = unknown>(
  spec: WorkflowSpec<S, O>,
): WorkflowDefinition<InputOf<S>, O> {
  if (!NAME.test(spec.name)) {
    throw new ValidationError(
      `workflow name "${spec.name}" must be lower case letters, digits, '.', '_' or '-'`,
    );
  }
  if (!Number.isInteger(spec.version) || spec.version < 1) {
    throw new ValidationError(
      `workflow ${spec.name}: version must be a positive integer, got ${spec.version}`,
    );
  }
  const checker = spec.input ? TypeCompiler.Compile(spec.input) : undefined;
  return {
    name: spec.name,
    version: spec.version,
    key: `${spec.name}@${spec.version}`,
    queue: spec.queue ?? 'default',
    spec: spec as unknown as WorkflowSpec<TSchema | undefined, O>,
    validate(input: unknown): InputOf<S> {
      if (checker && !checker.Check(input)) {
        const issues = [...checker.Errors(input)]
          .slice(0, 20)
          .map((e) => ({ path: e.path, message: e.message }));
        const first = issues[0];
        throw new ValidationError(
          `input of workflow ${spec.name} v${spec.version} is invalid: ${first ? `${first.path || '/'} ${first.message}` : 'schema mismatch'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
          issues,
        );
      }
      return input as InputOf<S>;
    },
    concurrencyOf(input) {
      if (!spec.concurrency) return {};
      return { key: spec.concurrency.key(input), limit: spec.concurrency.limit ?? 1 };
    },
    tagsOf(input) {
      return spec.tags ? spec.tags(input) : {};
    },
    run: (ctx, input) => spec.run(ctx, input),
  };
}

/** Registered definitions by name and version. */
export class WorkflowRegistry {
  private readonly byKey = new Map<string, WorkflowDefinition>();

  register(def: WorkflowDefinition): void {
    const existing = this.byKey.get(def.key);
    if (existing && existing !== def) {
      throw new ValidationError(`workflow ${def.name} version ${def.version} is already registered`);
    }
    this.byKey.set(def.key, def);
  }

  get(name: string, version: number): WorkflowDefinition | undefined {
    return this.byKey.get(`${name}@${version}`);
  }

  latest(name: string): WorkflowDefinition | undefined {
    let best: WorkflowDefinition | undefined;
    for (const d of this.byKey.values()) if (d.name === name && (!best || d.version > best.version)) best = d;
    return best;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  queues(): string[] {
    return [...new Set([...this.byKey.values()].map((d) => d.queue))];
  }

  all(): WorkflowDefinition[] {
    return [...this.byKey.values()];
  }
}

/** Any definition, whatever its input and output types (for registries and lists). */
// biome-ignore lint/suspicious/noExplicitAny: definitions are invariant in their input type
export type AnyWorkflow = WorkflowDefinition<any, any>;
