import { matchesEvent } from '../match.js';
import type { DeliverResult, EventWaitInput, InboundEvent } from '../types.js';
import { EVENT_COLUMNS, json, toEvent } from './rows.js';
import type { Tx } from './transaction.js';

const TERMINAL = "('completed','failed','cancelled','compensated')";

interface Wait {
  runId: string;
  position: number;
  input: EventWaitInput;
  /** Not yet taken by an earlier event of the batch. */
  open: boolean;
}

/**
 * The engine's inbox: puts events into it and completes the pending waits they match, inside the
 * caller's transaction, which holds the event-type locks of the events (so no wait of those types is
 * registered meanwhile). In order, each new event completes the first matching wait of each run (one
 * per run) that no earlier event took, and wakes that run; a known event id, or one repeated in the
 * batch, is a duplicate and wakes nothing. The statements are the same few whatever the number of
 * events. A wait that something else completed meanwhile (its timeout) is left as it is.
 */
export async function deliverEvents(tx: Tx, events: InboundEvent[]): Promise<DeliverResult[]> {
  const ids = new Set<string>();
  const unique = events.filter((e) => !ids.has(e.id) && ids.add(e.id));
  const [inserted, waitRows] = await Promise.all([
    tx.rows(
      `INSERT INTO events (id, type, source, subject, data, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        unique.map((e) => e.id),
        unique.map((e) => e.type),
        unique.map((e) => e.source ?? null),
        unique.map((e) => e.subject ?? null),
        unique.map((e) => json(e.data)),
        unique.map((e) => e.receivedAt),
      ],
    ),
    tx.rows(
      `SELECT run_id, position, name, input FROM journal
       WHERE kind = 'event' AND status = 'pending' AND name = ANY($1::text[])
       ORDER BY run_id, position`,
      [[...new Set(events.map((e) => e.type))]],
    ),
  ]);
  const fresh = new Set(inserted.map((r) => r.id as string));
  const isNew = events.map((e) => fresh.delete(e.id));
  const stored = await storedEvents(
    tx,
    events.filter((_, i) => !isNew[i]).map((e) => e.id),
  );

  const waits = new Map<string, Wait[]>();
  for (const w of waitRows) {
    const list = waits.get(w.name as string) ?? [];
    list.push({
      runId: w.run_id as string,
      position: w.position as number,
      input: JSON.parse(w.input as string) as EventWaitInput,
      open: true,
    });
    waits.set(w.name as string, list);
  }
  const planned: Array<{ event: InboundEvent; index: number; wait: Wait }> = [];
  events.forEach((event, index) => {
    if (!isNew[index]) return;
    const runs = new Set<string>();
    for (const wait of waits.get(event.type) ?? []) {
      if (!wait.open || runs.has(wait.runId)) continue; // one event satisfies one wait per run
      if (event.receivedAt < wait.input.since || !matchesEvent(wait.input.match, event.data)) continue;
      wait.open = false;
      runs.add(wait.runId);
      planned.push({ event, index, wait });
    }
  });

  const completed = await completeWaits(tx, planned);
  const woke: string[][] = events.map(() => []);
  const wakes = new Map<string, { n: number; at: number }>();
  for (const [i, { event, index, wait }] of planned.entries()) {
    if (!completed[i]) continue;
    tx.addHistory(wait.runId, {
      type: 'event.matched',
      position: wait.position,
      at: event.receivedAt,
      data: { eventId: event.id, type: event.type },
    });
    woke[index]!.push(wait.runId);
    // as if delivered one by one: a wake per event, the run due at the last one's time
    wakes.set(wait.runId, { n: (wakes.get(wait.runId)?.n ?? 0) + 1, at: event.receivedAt });
  }
  wake(tx, wakes);
  return events.map((event, i) =>
    isNew[i]
      ? { event, duplicate: false, woke: woke[i]! }
      : { event: stored.get(event.id)!, duplicate: true, woke: [] },
  );
}

async function storedEvents(tx: Tx, ids: string[]): Promise<Map<string, InboundEvent>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.rows(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ANY($1::text[])`, [ids]);
  return new Map(rows.map((r) => [r.id as string, toEvent(r)]));
}

/** Completes the planned waits that are still pending; says which were. */
async function completeWaits(
  tx: Tx,
  planned: Array<{ event: InboundEvent; wait: Wait }>,
): Promise<boolean[]> {
  if (planned.length === 0) return [];
  const rows = await tx.rows(
    `UPDATE journal SET status = 'completed', result = c.result, error = NULL, event_id = c.event_id, ended_at = c.at
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[]) AS c(run_id, position, result, event_id, at)
     WHERE journal.run_id = c.run_id AND journal.position = c.position AND journal.status = 'pending'
     RETURNING journal.run_id, journal.position`,
    [
      planned.map((p) => p.wait.runId),
      planned.map((p) => p.wait.position),
      planned.map((p) => json(p.event)),
      planned.map((p) => p.event.id),
      planned.map((p) => p.event.receivedAt),
    ],
  );
  const done = new Set(rows.map((r) => `${r.run_id}:${r.position}`));
  return planned.map((p) => done.has(`${p.wait.runId}:${p.wait.position}`));
}

/** Makes the woken runs runnable, in id order so concurrent writers lock rows alike. */
function wake(tx: Tx, wakes: Map<string, { n: number; at: number }>): void {
  if (wakes.size === 0) return;
  const runIds = [...wakes.keys()].sort();
  tx.send(
    `UPDATE runs SET wake_seq = wake_seq + w.n, next_at = w.at, updated_at = w.at
     FROM unnest($1::text[], $2::int[], $3::bigint[]) AS w(id, n, at)
     WHERE runs.id = w.id AND runs.status NOT IN ${TERMINAL}`,
    [runIds, runIds.map((id) => wakes.get(id)!.n), runIds.map((id) => wakes.get(id)!.at)],
  );
  tx.wake = true;
}
