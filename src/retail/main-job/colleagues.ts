/**
 * The people and places outside Baton that keep a simulated estate moving: colleagues who answer
 * the exception tasks after a short delay, stores that count transfers in, and a returns desk that
 * inspects the parcels customers send back. A few approvals can be left for a real person.
 */
import type { Bus, BusEvent } from '../../bus/index.js';
import type { Engine, EngineEvent } from '../../engine/index.js';
import type { TaskRecord } from '../../store/index.js';

/** The answer a colleague gives, first match in the task's outcomes. */
const PREFERENCE = [
  'accept-order-price',
  'release',
  'approve',
  'split',
  'backorder',
  'store-transfers',
  'alternate-sourcing',
  'approve-payment',
  'accept-short',
  'keep-waiting',
  'alternate-supplier',
  'refund',
  'resolved',
  'launch-confirmed-channels',
  'book-at-destination',
];

const NAMES: Record<string, string> = {
  pricing: 'paula.pricing',
  finance: 'frank.finance',
  fulfilment: 'willem.warehouse',
  'customer-service': 'carla.service',
  'store-operations': 'sam.store',
  'supply-chain': 'suvi.supply',
  procurement: 'pedro.procurement',
  'accounts-payable': 'ana.payables',
  merchandising: 'marta.merch',
};

export const colleagueOf = (role: string) => NAMES[role] ?? `${role}.desk`;

export function answerFor(task: Pick<TaskRecord, 'outcomes'>): string {
  return PREFERENCE.find((o) => task.outcomes.includes(o)) ?? task.outcomes[0]!;
}

export interface ColleagueOptions {
  engine: Engine;
  bus: Bus;
  /** Real milliseconds a colleague, a store or the returns desk takes to react (±50 %). */
  reactionMs: number;
  /** Store transfer approvals left open for a person; the rest are answered. */
  leaveForYou?: number;
  /** Called with each task left for a person. */
  onLeft?: (task: TaskRecord) => void;
  onError?: (err: unknown) => void;
}

export interface Colleagues {
  /** Reactions scheduled and not yet done. */
  pending(): number;
  /** The tasks left for a person. */
  left(): string[];
  /** From now on every task is answered, including those that would be left. */
  answerAll(): Promise<void>;
  stop(): void;
}

export function startColleagues(o: ColleagueOptions): Colleagues {
  const timers = new Set<NodeJS.Timeout>();
  const left: string[] = [];
  let leave = o.leaveForYou ?? 0;
  let stopped = false;
  const later = (fn: () => Promise<unknown>) => {
    if (stopped) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        if (!stopped) fn().catch((err: unknown) => o.onError?.(err));
      },
      Math.round(o.reactionMs * (0.5 + Math.random())),
    );
    timers.add(t);
  };
  const answer = async (taskId: string) => {
    const task = await o.engine.getTask(taskId);
    if (task.status !== 'open' && task.status !== 'claimed') return;
    await o.engine.completeTask(taskId, { outcome: answerFor(task), values: {}, by: colleagueOf(task.role) });
  };
  const offTasks = o.engine.events.on('task.created', (e: EngineEvent) => {
    const taskId = String(e.data?.taskId);
    later(async () => {
      const task = await o.engine.getTask(taskId);
      if (leave > 0 && task.role === 'store-operations' && task.outcomes.includes('approve')) {
        leave--;
        left.push(taskId);
        o.onLeft?.(task);
        return;
      }
      await answer(taskId);
    });
  });
  let n = 0;
  const deliver = (type: string, data: unknown) =>
    o.bus.receive({ id: `estate-${type}-${Date.now()}-${++n}`, type, data, time: Date.now() }, 'estate');
  const offBus = o.bus.subscribe('*', (e: BusEvent, info) => {
    if (info.duplicate) return;
    const d = e.data as Record<string, unknown>;
    if (e.type === 'transfer.shipped') {
      const lines = d.lines as Array<{ sku: string; quantity: { value: number } }>;
      later(() =>
        deliver('transfer.arrived', {
          transferId: d.transferId,
          receivedBy: `goods-in.${String(d.toLocationId).toLowerCase()}`,
          lines: lines.map((l) => ({ sku: l.sku, quantityReceived: l.quantity.value })),
        }),
      );
    } else if (e.type === 'return.authorized') {
      const lines = d.lines as Array<{ sku: string; quantity: { value: number } }>;
      later(() =>
        deliver('return.arrived', {
          returnId: d.returnId,
          inspectedBy: 'rui.returns',
          lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity.value, damaged: 0 })),
        }),
      );
    }
  });
  return {
    pending: () => timers.size,
    left: () => [...left],
    async answerAll() {
      leave = 0;
      for (const id of left.splice(0)) await answer(id);
    },
    stop() {
      stopped = true;
      offTasks();
      offBus();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
