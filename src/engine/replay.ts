import { NonDeterminismError, type SerializedError } from '../core/index.js';
import type { JournalEntry, RunRecord } from '../store/index.js';
import { Execution, type ExecutionHost } from './execution.js';
import type { WorkflowDefinition } from './workflow.js';

/** A run as kept in a fixture: enough to replay it against current code. */
export interface RecordedRun {
  runId: string;
  workflow: string;
  version: number;
  input: unknown;
  createdAt: number;
  startedAt?: number;
  status: RunRecord['status'];
  output?: unknown;
  error?: SerializedError;
  journal: JournalEntry[];
}

export interface ReplayResult {
  status: 'completed' | 'failed' | 'compensated' | 'waiting' | 'compensating';
  output?: unknown;
  error?: SerializedError;
  /** Journal positions the code asked for. */
  calls: number;
}

/**
 * Replays a recorded journal against a workflow definition without touching any system: every
 * call must be answered from the journal. Throws `NonDeterminismError` when the code asks for a
 * different call, a call the journal does not have, or finishes before using every recorded entry.
 */
export async function replayRun(def: WorkflowDefinition, rec: RecordedRun): Promise<ReplayResult> {
  const host: ExecutionHost = {
    clock: { now: () => 0 }, // nothing recorded as pending is ever due during a replay
    commit: async () => ({ ok: true, resolved: [], cancelRequested: false }),
    acquire: async () => () => {},
    validateChild: () => ({ concurrency: {}, tags: {} }),
  };
  const run: RunRecord = {
    id: rec.runId,
    workflow: rec.workflow,
    version: rec.version,
    status: rec.status === 'compensating' || rec.status === 'compensated' ? 'compensating' : 'running',
    input: rec.input,
    queue: def.queue,
    leaseToken: 1,
    wakeSeq: 0,
    cancelRequested: false,
    claims: 1,
    tags: {},
    createdAt: rec.createdAt,
    updatedAt: rec.createdAt,
  };
  if (rec.startedAt !== undefined) run.startedAt = rec.startedAt;
  const exec = new Execution(host, def, run, rec.journal, true);
  const o = await exec.start();
  const last = rec.journal.reduce((m, e) => Math.max(m, e.position), -1);
  switch (o.kind) {
    case 'failed':
      if (o.error.code === 'NON_DETERMINISM') {
        const d = o.error.details as {
          position: number;
          recorded?: { kind: string; name: string };
          requested?: { kind: string; name: string };
        };
        throw new NonDeterminismError(d.position, d.recorded, d.requested);
      }
      break;
    case 'aborted':
    case 'cancelled':
      throw new Error(`replay of run ${rec.runId} ended ${o.kind}`);
  }
  if ((o.kind === 'completed' || o.kind === 'failed' || o.kind === 'compensated') && exec.callsMade <= last) {
    const e = rec.journal.find((x) => x.position === exec.callsMade);
    throw new NonDeterminismError(exec.callsMade, e ? { kind: e.kind, name: e.name } : undefined, undefined);
  }
  const result: ReplayResult = { status: o.kind === 'waiting' ? o.status : o.kind, calls: exec.callsMade };
  if (o.kind === 'completed') result.output = o.output;
  if (o.kind === 'failed' || o.kind === 'compensated') result.error = o.error;
  return result;
}
