import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { sleep } from '../helpers.js';

export const NATS_SERVER = '/usr/sbin/nats-server';

/** Skips with the reason when the binary is missing, unless BATON_REQUIRE_SERVICES=1 makes that fail. */
export function ownServerTestOptions(): { skip?: string } {
  if (existsSync(NATS_SERVER) || process.env.BATON_REQUIRE_SERVICES === '1') return {};
  return { skip: `${NATS_SERVER} is not installed` };
}

/** A free loopback port (the kernel picks one, we release it for the server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** A nats-server process of a test's own, with JetStream stored in `storeDir` so a restart keeps it. */
export class OwnNatsServer {
  private proc: ChildProcess | undefined;
  private stderr = '';

  constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    const proc = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4_000);
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await accepts(this.port))) {
      if (proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`nats-server on port ${this.port} did not start: ${this.stderr}`);
      await sleep(50);
    }
  }

  /** Kills the process (SIGKILL by default, as a crash would) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }
}
