import { describeSnapshot, type EstateSnapshot, snapshot } from '../../retail/index.js';
import type { Io } from '../output.js';
import type { EstateRun } from './run.js';

const time = () => new Date().toISOString().slice(11, 19);

/**
 * Redraws the estate's summary every `everyMs`: in place on a terminal (under the lines printed
 * when Baton started: the API and docs addresses), as plain timestamped lines otherwise.
 */
export function liveSummary(
  run: EstateRun,
  io: Io,
  o: { header: () => string[]; everyMs: number; tty: boolean },
): { stop(): void; once(): Promise<EstateSnapshot> } {
  let stopped = false;
  let drawing = false;
  const draw = async () => {
    if (drawing || stopped) return;
    drawing = true;
    try {
      const s = await snapshot(run.engine, run.store);
      if (stopped) return;
      const body = describeSnapshot(s);
      if (o.tty) io.out(['\x1b[H\x1b[2J', ...o.header(), '', `${time()}`, ...body].join('\n'));
      else io.out([`${time()} estate summary`, ...body].join('\n'));
    } catch {
      // the store is closing: the next draw (if any) tries again
    } finally {
      drawing = false;
    }
  };
  const timer = setInterval(() => void draw(), o.everyMs);
  void draw();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    once: () => snapshot(run.engine, run.store),
  };
}
