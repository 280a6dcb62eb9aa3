import ms from 'ms';
import { ValidationError } from './errors.js';

/** A duration as milliseconds or as text such as `'250ms'`, `'30s'`, `'2h'`, `'3d'`. */
export type Duration = number | string;

export function toMs(duration: Duration, what = 'duration'): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new ValidationError(`${what} must be a non-negative number of milliseconds, got ${duration}`);
    }
    return duration;
  }
  const value = ms(duration as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${what} "${duration}" is not a duration (examples: 500ms, 30s, 2h, 3d)`);
  }
  return value;
}
