import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { newId } from '../../core/index.js';
import type {
  ClaimedRun,
  ClaimRequest,
  CommitResult,
  CommitUnit,
  JournalWrite,
  NewRun,
  NewTask,
  RunRecord,
  Store,
} from '../types.js';

/** Opens a fresh, empty store; `cleanup` runs after the store is closed (drop a database, delete a file). */
export type StoreFactory = () => Promise<{ store: Store; cleanup?: () => Promise<void> }>;

/** Registers one test that receives a fresh store. */
export type StoreTest = (name: string, body: (store: Store, t: TestContext) => Promise<void>) => void;

export function storeTest(factory: StoreFactory): StoreTest {
  return (name, body) =>
    test(name, async (t) => {
      const { store, cleanup } = await factory();
      try {
        await body(store, t);
      } finally {
        await store.close();
        await cleanup?.();
      }
    });
}

/** A fixed instant: the suite never reads the wall clock. */
export const T = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;
export const WF = 'conformance.order';
export const WF_KEY = `${WF}@1`;
export const OWNER = 'worker-a';
export const OWNER_B = 'worker-b';
export const LEASE_MS = 30_000;

export type Committed = Extract<CommitResult, { ok: true }>;
type UnitBody = Omit<CommitUnit, 'runId' | 'leaseToken' | 'wakeSeq' | 'at'>;

export function newRun(over: Partial<NewRun> = {}): NewRun {
  return {
    id: newId(over.createdAt ?? T),
    workflow: WF,
    version: 1,
    input: { orderId: 'SO-1' },
    createdAt: T,
    ...over,
  };
}

/** Creates a pending run. */
export async function pendingRun(store: Store, over: Partial<NewRun> = {}): Promise<RunRecord> {
  const res = await store.createRun(newRun(over));
  assert.equal(res.created, true);
  return res.run;
}

/** Creates a run leased to `owner` from its creation time, with lease token 1. */
export async function leasedRun(
  store: Store,
  over: Partial<NewRun> = {},
  owner = OWNER,
  leaseMs = LEASE_MS,
): Promise<RunRecord> {
  const res = await store.createRun(newRun(over), { owner, leaseMs });
  assert.equal(res.claimed, true, 'the run should be leased on creation');
  return res.run;
}

export function claim(store: Store, over: Partial<ClaimRequest> = {}): Promise<ClaimedRun[]> {
  return store.claimRuns({
    owner: OWNER,
    limit: 10,
    leaseMs: LEASE_MS,
    now: T,
    workflows: [WF_KEY],
    ...over,
  });
}

/** A commit unit of the lease holder that last saw `run`. */
export function unitFor(run: RunRecord, at: number, body: UnitBody = {}): CommitUnit {
  return { runId: run.id, leaseToken: run.leaseToken, wakeSeq: run.wakeSeq, at, ...body };
}

export async function commitOk(store: Store, unit: CommitUnit): Promise<Committed> {
  const res = await store.commit(unit);
  assert.ok(res.ok, `commit of run ${unit.runId} was refused`);
  return res;
}

export function stepEntry(position: number, name: string, over: Partial<JournalWrite> = {}): JournalWrite {
  return {
    position,
    kind: 'step',
    name,
    status: 'completed',
    result: { position },
    attempts: 1,
    startedAt: T,
    endedAt: T,
    ...over,
  };
}

export function pendingEntry(
  position: number,
  kind: JournalWrite['kind'],
  name: string,
  over: Partial<JournalWrite> = {},
): JournalWrite {
  return { position, kind, name, status: 'pending', attempts: 0, startedAt: T, ...over };
}

export function newTask(runId: string, position: number, over: Partial<NewTask> = {}): NewTask {
  return {
    id: newId(T),
    runId,
    position,
    kind: 'approval',
    title: `Approve order at ${position}`,
    role: 'ops',
    outcomes: ['approve', 'reject'],
    createdAt: T,
    ...over,
  };
}

/** Suspends a leased run on human tasks: pending task entries, the tasks, lease released. */
export async function waitOnTasks(store: Store, run: RunRecord, tasks: NewTask[], at = T): Promise<void> {
  await commitOk(
    store,
    unitFor(run, at, {
      journal: tasks.map((t) => pendingEntry(t.position, 'task', t.title, { input: { taskId: t.id } })),
      tasks,
      run: { status: 'waiting', release: true },
    }),
  );
}

export async function mustGet(store: Store, id: string): Promise<RunRecord> {
  const run = await store.getRun(id);
  assert.ok(run, `run ${id} should exist`);
  return run;
}

export async function historyTypes(store: Store, runId: string): Promise<string[]> {
  return (await store.loadHistory(runId)).map((h) => h.type);
}

export const ids = (xs: Array<{ id: string }>): string[] => xs.map((x) => x.id);
export const sorted = (xs: string[]): string[] => [...xs].sort();
