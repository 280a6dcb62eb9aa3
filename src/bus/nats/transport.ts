import { headers } from 'nats';
import { toCloudEvent } from '../cloudevents.js';
import { subjectFor } from '../subjects.js';
import type { BusEvent, Transport } from '../types.js';
import type { NatsLink } from './link.js';

/**
 * Publishes to JetStream and resolves on the server's acknowledgement, so the relay marks an event
 * published only once it is stored. The event id is the message id: republishing an event after a
 * lost acknowledgement is dropped by the server within its duplicate window.
 */
export class NatsTransport implements Transport {
  readonly name = 'nats';
  /** Publishes the server recognised as repeats of a stored message. */
  duplicates = 0;

  constructor(private readonly link: NatsLink) {}

  async publish(event: BusEvent): Promise<void> {
    const s = this.link.settings;
    const h = headers();
    h.set('Content-Type', 'application/cloudevents+json');
    const ack = await this.link.js.publish(
      subjectFor(s.subjectPrefix, event.type, event.subject),
      JSON.stringify(toCloudEvent(event, s.typePrefix)),
      { msgID: event.id, expect: { streamName: s.stream }, timeout: s.requestTimeoutMs, headers: h },
    );
    if (ack.duplicate) this.duplicates++;
  }

  /** The link belongs to the bus, which closes it. */
  async close(): Promise<void> {}
}
