import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { ConfigError, type ConnectorSettings, ValidationError } from '../core/index.js';

/** What an operation's code receives for one attempt. */
export interface InvokeContext {
  system: string;
  operation: string;
  /** The system's settings: configuration over the connector's declared limits. */
  settings: Readonly<ConnectorSettings>;
  /** The same on every attempt of the call, and on a replay from the dead-letter queue. */
  idempotencyKey: string;
  /** 1, 2, 3, … within this call. */
  attempt: number;
  /** Aborted when the attempt times out or the caller gives up. */
  signal: AbortSignal;
}

/** One operation: typed input and output (TypeBox, validated both ways) and the code that calls the system. */
export interface OperationSpec<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  input: I;
  output: O;
  description?: string;
  invoke(input: Static<I>, ctx: InvokeContext): Promise<unknown>;
}

export type Operations = Record<string, OperationSpec>;

/** Declares one operation with its input type inferred for `invoke`. */
export function operation<I extends TSchema, O extends TSchema>(
  spec: OperationSpec<I, O>,
): OperationSpec<I, O> {
  return spec;
}

export interface ConnectorSpec<Ops extends Operations> {
  /** The system's name, as used in configuration (`connectors.<system>`) and in the health view. */
  system: string;
  description?: string;
  operations: Ops;
  /** Throws when the system is not healthy; `baton connectors status --probe` and the API call it. */
  health?(ctx: { settings: Readonly<ConnectorSettings>; signal: AbortSignal }): Promise<void>;
  /** Defaults for the system's timeouts, retries, breaker and limits; configuration overrides them. */
  limits?: Omit<ConnectorSettings, 'baseUrl' | 'headers'>;
}

export interface CompiledOperation {
  name: string;
  spec: OperationSpec;
  checkInput: TypeCheck<TSchema>;
  checkOutput: TypeCheck<TSchema>;
}

export interface ConnectorDefinition<Ops extends Operations = Operations> {
  readonly system: string;
  readonly description: string | undefined;
  readonly spec: ConnectorSpec<Ops>;
  readonly operations: ReadonlyMap<string, CompiledOperation>;
}

const NAME = /^[a-z][a-z0-9_.-]{0,62}$/;
const OPERATION = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** Declares a connector; its schemas are compiled once, here. */
export function defineConnector<Ops extends Operations>(spec: ConnectorSpec<Ops>): ConnectorDefinition<Ops> {
  if (!NAME.test(spec.system))
    throw new ConfigError(
      `connector system "${spec.system}" must be lower-case letters, digits, ".", "_" or "-"`,
    );
  const operations = new Map<string, CompiledOperation>();
  for (const [name, op] of Object.entries(spec.operations)) {
    if (!OPERATION.test(name))
      throw new ConfigError(`operation "${name}" of connector ${spec.system} is not a valid name`);
    operations.set(name, {
      name,
      spec: op,
      checkInput: TypeCompiler.Compile(op.input),
      checkOutput: TypeCompiler.Compile(op.output),
    });
  }
  return { system: spec.system, description: spec.description, spec, operations };
}

/** The issues of a value against a compiled schema, by JSON pointer. */
export function issuesOf(
  check: TypeCheck<TSchema>,
  value: unknown,
): Array<{ path: string; message: string }> {
  return [...check.Errors(value)].slice(0, 20).map((e) => ({ path: e.path, message: e.message }));
}

export function checkedInput(system: string, op: CompiledOperation, input: unknown): void {
  if (op.checkInput.Check(input)) return;
  const issues = issuesOf(op.checkInput, input);
  const first = issues[0];
  throw new ValidationError(
    `input of ${system}.${op.name} is invalid${first ? `: ${first.path || '/'} ${first.message}` : ''}`,
    issues,
  );
}
