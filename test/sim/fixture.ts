import { after } from 'node:test';
import {
  type Simulator,
  type SimulatorOptions,
  type SystemName,
  startSimulator,
} from '../../src/sim/index.js';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A simulator on free loopback ports, closed when the test file ends. */
export async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ port: 0, ...options });
  after(() => sim.close());
  return sim;
}

async function read<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function get<T = Record<string, unknown>>(
  sim: Simulator,
  system: SystemName,
  path: string,
): Promise<Reply<T>> {
  return read<T>(await fetch(`${sim.url(system)}${path}`));
}

export async function post<T = Record<string, unknown>>(
  sim: Simulator,
  system: SystemName,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  return read<T>(
    await fetch(`${sim.url(system)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** The parts of an RFC 9457 problem the tests look at. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  system: string;
  errors?: Array<{ pointer: string; detail: string }>;
  [extension: string]: unknown;
}
