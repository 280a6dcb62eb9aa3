import {
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { ConfigError, type Logger } from '../../core/index.js';
import { defaultTypePrefix } from '../cloudevents.js';
import { defaultSubjectPrefix } from '../subjects.js';
import { within } from '../wait.js';

export interface NatsSettings {
  /** For example `nats://127.0.0.1:4222`. */
  url: string;
  /** The JetStream stream that stores Baton's events. */
  stream: string;
  /** Events are published under `<subjectPrefix>.<type>.<key>`. */
  subjectPrefix: string;
  /** CloudEvents type prefix, for example `com.baton.retail.`. */
  typePrefix: string;
  /** The server drops a second message with the same id (`Nats-Msg-Id`) within this window. */
  duplicateWindowMs: number;
  /** How long a publish, or any other JetStream request, waits for the server's answer. */
  requestTimeoutMs: number;
  /** The connection's name in the server's monitoring. */
  name: string;
}

export const defaultNatsSettings: Omit<NatsSettings, 'url'> = {
  stream: 'BATON_EVENTS',
  subjectPrefix: defaultSubjectPrefix,
  typePrefix: defaultTypePrefix,
  duplicateWindowMs: 120_000,
  requestTimeoutMs: 5_000,
  name: 'baton',
};

/** One connection to NATS with its JetStream handles, shared by the transport, inbound and leadership. */
export class NatsLink {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly settings: NatsSettings,
  ) {}

  /** Connects (failing fast with one clear line), then reconnects on its own for as long as it lives. */
  static async open(settings: NatsSettings, log: Logger): Promise<NatsLink> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: settings.url,
        name: settings.name,
        timeout: 5_000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
    } catch (err) {
      throw new ConfigError(`NATS not reachable at ${settings.url}: ${(err as Error).message}`);
    }
    // logged in the background; not awaited on close, since the status feed does not always end
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error')
          log.info(`nats ${s.type}`, { data: String(s.data) });
      }
    })();
    const timeout = settings.requestTimeoutMs;
    const link = new NatsLink(
      nc,
      nc.jetstream({ timeout }),
      await nc.jetstreamManager({ timeout }),
      settings,
    );
    await link.ensureStream().catch(async (err) => {
      await link.close();
      throw err;
    });
    return link;
  }

  /** Creates the stream, or adds Baton's subjects to an existing one. */
  private async ensureStream(): Promise<void> {
    const { stream, subjectPrefix, duplicateWindowMs } = this.settings;
    const subject = `${subjectPrefix}.>`;
    try {
      const { config } = await this.jsm.streams.info(stream);
      const subjects = config.subjects ?? [];
      if (!subjects.includes(subject))
        await this.jsm.streams.update(stream, { ...config, subjects: [...subjects, subject] });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.jsm.streams.add({
        name: stream,
        subjects: [subject],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(duplicateWindowMs),
      });
    }
  }

  /** Servers before 2.11 do not understand a reason on `term` and would redeliver the message. */
  get termTakesReason(): boolean {
    const [major = 0, minor = 0] = (this.nc.info?.version ?? '0.0').split('.').map(Number);
    return major > 2 || (major === 2 && minor >= 11);
  }

  async close(): Promise<void> {
    // drain flushes pending acks, but cannot finish while the server is away
    if (!this.nc.isClosed()) await within(this.nc.drain(), 2_000);
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as { code?: string }).code === '404';
}
