import { Type } from '@sinclair/typebox';
import type { BusEvent, Transport } from '../../src/bus/index.js';
import { defineWorkflow } from '../../src/engine/index.js';

/** Emits `count` events `item.added` with the business key `key`, in order. */
export const emitter = defineWorkflow({
  name: 'test.emitter',
  version: 1,
  input: Type.Object({ key: Type.String(), count: Type.Integer(), type: Type.Optional(Type.String()) }),
  async run(ctx, input) {
    for (let i = 0; i < input.count; i++)
      await ctx.emit(input.type ?? 'item.added', { key: input.key, i }, { subject: input.key });
    return input.count;
  },
});

/** Records what it was published; `fail` decides per attempt whether to throw instead. */
export class RecordingTransport implements Transport {
  readonly name = 'recording';
  readonly events: BusEvent[] = [];
  attempts = 0;
  fail: (e: BusEvent, attempt: number) => 'fail' | 'lose-ack' | 'ok' = () => 'ok';

  async publish(e: BusEvent): Promise<void> {
    const verdict = this.fail(e, this.attempts++);
    if (verdict === 'fail') throw new Error(`transport down (event ${e.id})`);
    this.events.push(e);
    // the event went out but the confirmation did not come back
    if (verdict === 'lose-ack') throw new Error('confirmation lost');
  }

  async close(): Promise<void> {}

  /** The `i` values of the events of one key, in publish order. */
  order(key: string): number[] {
    return this.events.filter((e) => e.subject === key).map((e) => (e.data as { i: number }).i);
  }
}
