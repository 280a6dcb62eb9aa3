import { Ajv2020 } from 'ajv/dist/2020.js';
import { ValidationError } from '../core/index.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const cache = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Checks a task's form values against the task's JSON Schema (draft 2020-12). */
export function validateForm(form: Record<string, unknown>, values: unknown, taskId: string): void {
  let check = cache.get(form);
  if (!check) {
    check = ajv.compile(form);
    cache.set(form, check);
  }
  if (check(values)) return;
  const issues = (check.errors ?? []).map((e) => ({
    path: e.instancePath || '/',
    message: e.message ?? 'is invalid',
  }));
  const first = issues[0];
  throw new ValidationError(
    `form values of task ${taskId} are invalid: ${first ? `${first.path} ${first.message}` : 'schema mismatch'}`,
    issues,
  );
}
