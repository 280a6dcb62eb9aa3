import type { EventRouter } from './router.js';
import type { BusEvent, Transport } from './types.js';

/**
 * The default transport of an embedded Baton: publishing applies the event in this process (engine
 * waits, triggers, subscribers) and resolves once that is done, so the relay marks an event published
 * only after it took effect. A failure leaves the event in the outbox for the relay's next pass.
 */
export class InProcessTransport implements Transport {
  readonly name = 'in-process';

  constructor(private readonly router: EventRouter) {}

  async publish(event: BusEvent): Promise<void> {
    await this.router.route(event, this.name);
  }

  async close(): Promise<void> {}
}
