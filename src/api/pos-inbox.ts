import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { errorMessage, type Logger, silentLogger } from '../core/index.js';
import type { ApiDeps } from './context.js';
import { ingestPosBatch, type PosReport } from './pos.js';

/**
 * A folder POS systems drop CSV batches into. Each `*.csv` file is claimed by renaming it into
 * `processing/` (so two watchers never read one file), ingested as `POST /v1/pos/batches` would, then
 * moved to `processed/` — or to `failed/` when it cannot be read as a batch at all — with its report
 * beside it as `<name>.report.json`. Files left in `processing/` by a crash are read again on start;
 * sales are idempotent, so that repeats nothing.
 */

export interface PosInboxOptions {
  dir: string;
  /** Events get the source `/pos/<source>`. */
  source: string;
  /** The store of rows without a store_id. */
  storeId?: string;
  /** How often the folder is scanned; default 1000 ms. */
  pollIntervalMs?: number;
  /** A file is read once it has not changed for this long (it may still be being written); default 1000 ms. */
  settleMs?: number;
  /** Recorded as the publisher of the events; default `pos-inbox:<source>`. */
  publishedBy?: string;
  logger?: Logger;
  /** Called after each file. */
  onFile?: (result: InboxResult) => void;
}

export interface InboxResult {
  file: string;
  /** Where the file is now. */
  movedTo: string;
  report?: PosReport;
  error?: string;
}

type Deps = Pick<ApiDeps, 'registry' | 'governance' | 'engine' | 'bus' | 'log' | 'clock'>;

export class PosInbox {
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<InboxResult[]> | undefined;
  private stopped = true;
  private readonly log: Logger;

  constructor(
    private readonly deps: Deps,
    private readonly o: PosInboxOptions,
  ) {
    this.log = o.logger ?? silentLogger;
    for (const sub of ['processing', 'processed', 'failed']) mkdirSync(join(o.dir, sub), { recursive: true });
  }

  /** Scans now and then every `pollIntervalMs` until stopped. */
  start(): this {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      void this.scan()
        .catch((err) =>
          this.log.error('POS inbox scan failed', { dir: this.o.dir, error: errorMessage(err) }),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.pollIntervalMs ?? 1000);
        });
    };
    tick();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning?.catch(() => undefined);
  }

  /** Reads every settled file once (and any a crash left in `processing/`). */
  scan(): Promise<InboxResult[]> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<InboxResult[]> {
    const { dir } = this.o;
    const processing = join(dir, 'processing');
    const settled = Date.now() - (this.o.settleMs ?? 1000);
    const claimed = readdirSync(processing).filter((f) => /\.csv$/i.test(f));
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.') || !/\.csv$/i.test(name)) continue;
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st?.isFile() || st.mtimeMs > settled) continue;
      const target = this.free(processing, name);
      try {
        renameSync(path, join(processing, target));
      } catch {
        continue; // another watcher claimed it first
      }
      claimed.push(target);
    }
    const results: InboxResult[] = [];
    for (const name of claimed) results.push(await this.read(join(processing, name)));
    return results;
  }

  private async read(path: string): Promise<InboxResult> {
    const name = basename(path);
    const finish = (sub: 'processed' | 'failed', report: unknown): string => {
      const target = join(this.o.dir, sub, this.free(join(this.o.dir, sub), name));
      renameSync(path, target);
      writeFileSync(`${target}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
      return target;
    };
    let result: InboxResult;
    try {
      const text = readFileSync(path, 'utf8');
      const report = await ingestPosBatch(
        this.deps,
        text,
        { source: this.o.source, batch: name, ...(this.o.storeId ? { storeId: this.o.storeId } : {}) },
        {
          publishedBy: this.o.publishedBy ?? `pos-inbox:${this.o.source}`,
          receivedAt: this.deps.clock.now(),
        },
      );
      result = { file: name, movedTo: finish('processed', report), report };
      this.log.info('POS batch read', {
        file: name,
        rows: report.rows,
        accepted: report.accepted,
        duplicates: report.duplicates,
        quarantined: report.quarantined,
      });
    } catch (err) {
      const error = errorMessage(err);
      result = { file: name, movedTo: finish('failed', { error }), error };
      this.log.warn('POS batch refused', { file: name, error });
    }
    this.o.onFile?.(result);
    return result;
  }

  /** `name`, or `name` with a time stamp when the folder holds one of that name already. */
  private free(folder: string, name: string): string {
    if (!existsSync(join(folder, name))) return name;
    const dot = name.lastIndexOf('.');
    return `${name.slice(0, dot)}-${Date.now()}${name.slice(dot)}`;
  }
}
