/**
 * The event bus: the transactional outbox relay, the in-process transport (the default), NATS
 * JetStream for scale-out, and the inbound side (engine inbox, triggers, quarantine).
 */
export { Bus, type BusOptions, type BusStats } from './bus.js';
export { type CloudEvent, defaultTypePrefix, fromCloudEvent, toCloudEvent } from './cloudevents.js';
export { InProcessTransport } from './in-process.js';
export {
  consumerName,
  defaultInboundSettings,
  INBOUND_DEAD_LETTER,
  type InboundSettings,
  type InboundStats,
} from './nats/inbound.js';
export { type LeadershipSettings, NatsLeadership } from './nats/leadership.js';
export { defaultNatsSettings, NatsLink, type NatsSettings } from './nats/link.js';
export { NatsTransport } from './nats/transport.js';
export { Quarantine, type QuarantineEntry, type QuarantineOptions } from './quarantine.js';
export { defaultRelaySettings, OutboxRelay, type RelayOptions, type RelaySettings } from './relay.js';
export type { RelayStats } from './relay-status.js';
export { EventRouter, type Subscriber, type TriggerOptions } from './router.js';
export { defaultSubjectPrefix, encodeToken, subjectFor, typeFilter } from './subjects.js';
export type { BusEvent, Leadership, RouteResult, Transport } from './types.js';
