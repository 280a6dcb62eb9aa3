import { ValidationError, type ValidationIssue } from '../../core/index.js';

/** A mapping file that does not read or does not describe a mapping; `issues` point into the file. */
export class MappingFileError extends ValidationError {
  readonly file: string;
  constructor(file: string, issues: ValidationIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`${file}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}${more}`, issues);
    this.file = file;
  }
}

export interface MappingFailure {
  mapping: string;
  version: number;
  /** `compile` (the expression does not parse), `evaluate` (it failed on this input), `output` (its result breaks the target schema). */
  stage: 'compile' | 'evaluate' | 'output';
  /** The JSONata error code (S0201, T2001, D1012, …), when JSONata raised it. */
  code?: string;
  /** Where in the expression it failed: character offset, and the line and column it falls on. */
  position?: number;
  line?: number;
  column?: number;
  /** The token JSONata stopped at. */
  token?: string;
  /** The line of the expression that failed (trimmed), or the whole expression when it is one line. */
  expression?: string;
}

/**
 * A mapping could not produce its output. The message names the mapping, its version and, for
 * JSONata errors, the failing part of the expression with its position and token; output errors
 * carry every schema issue by JSON pointer into the output.
 */
export class MappingError extends ValidationError {
  readonly failure: MappingFailure;
  constructor(message: string, failure: MappingFailure, issues: ValidationIssue[] = []) {
    super(message, issues);
    this.failure = failure;
  }
}
