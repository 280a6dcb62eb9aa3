import { Type } from '@sinclair/typebox';
import { defineHttpConnector, httpOperation } from '../http.js';
import { closed, Id, seg, Text, Time } from './schemas.js';

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms')]);

const Notification = Type.Object({
  notificationId: Id,
  customerId: Id,
  channel: Channel,
  /** The address or number it went to. */
  to: Type.String(),
  template: Type.String(),
  reference: Type.Optional(Id),
  status: Type.Union([Type.Literal('queued'), Type.Literal('sent')]),
  createdAt: Time,
  sentAt: Type.Optional(Time),
});

/**
 * The CRM: customer notifications, honouring consents: SMS, and `marketing.*` templates on any
 * channel, need the customer's opt-in, else `no-consent`.
 */
export const crmConnector = defineHttpConnector({
  system: 'crm',
  description: 'CRM: customer notifications by email or SMS',
  operations: {
    notify: httpOperation({
      method: 'POST',
      path: '/notifications',
      description: 'Queues a message to a customer from a template',
      input: closed({
        customerId: Id,
        channel: Channel,
        template: Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9]+([._-][a-z0-9]+)*$' }),
        subject: Type.Optional(Text(200)),
        message: Type.Optional(Text(2000)),
        data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        reference: Type.Optional(Id),
      }),
      output: Notification,
    }),
    listNotifications: httpOperation({
      method: 'GET',
      path: '/notifications',
      description: 'Notifications by customer or reference, with their status',
      input: closed({ customerId: Type.Optional(Id), reference: Type.Optional(Id) }),
      query: (i) => ({ customerId: i.customerId, reference: i.reference }),
      output: Type.Object({ notifications: Type.Array(Notification) }),
    }),
    getNotification: httpOperation({
      method: 'GET',
      path: (i) => `/notifications/${seg(i.notificationId)}`,
      input: closed({ notificationId: Id }),
      output: Notification,
    }),
  },
});
