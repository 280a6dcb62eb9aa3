import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../core/index.js';
import type { SimContext } from '../context.js';
import type { SystemRoutes } from '../http.js';
import { parse } from '../validate.js';
import { closed, Id, rejection } from './schemas.js';

const Notification = closed({
  customerId: Id,
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  /** `marketing.*` templates need the customer's consent on the channel; service messages need none on email. */
  template: Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9]+([._-][a-z0-9]+)*$' }),
  subject: Type.Optional(Type.String({ maxLength: 200 })),
  message: Type.Optional(Type.String({ maxLength: 2000 })),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  reference: Type.Optional(Id),
});

const NotificationQuery = closed({ customerId: Type.Optional(Id), reference: Type.Optional(Id) });

/** How long the CRM takes to hand a queued message to its email or SMS gateway. */
const SEND_DELAY_MS = 1_000;

interface NotificationRecord {
  notificationId: string;
  customerId: string;
  channel: 'email' | 'sms';
  to: string;
  template: string;
  subject?: string;
  message?: string;
  reference?: string;
  createdAt: number;
}

/**
 * The CRM: customer notifications by email or SMS, honouring each customer's consents the way a
 * real CRM must (SMS and marketing need an opt-in), queued and sent shortly after.
 */
export function crmRoutes(r: SystemRoutes, ctx: SimContext): void {
  const { index, state } = ctx;
  const sent: NotificationRecord[] = [];
  const view = (n: NotificationRecord) => {
    const sentAt = n.createdAt + SEND_DELAY_MS;
    const { createdAt, ...rest } = n;
    return {
      ...rest,
      createdAt: new Date(createdAt).toISOString(),
      ...(sentAt <= ctx.clock.now()
        ? { status: 'sent', sentAt: new Date(sentAt).toISOString() }
        : { status: 'queued' }),
    };
  };

  r.post('/notifications', Notification, (body) => {
    const c = index.customers.get(body.customerId);
    if (!c)
      throw rejection('unknown-master-data', [
        { path: '/customerId', message: `unknown customer ${body.customerId}` },
      ]);
    const marketing = body.template.startsWith('marketing.');
    if (body.channel === 'sms' ? !c.consents.sms : marketing && !c.consents.email)
      throw rejection('no-consent', [
        {
          path: '/channel',
          message: `${c.id} has not agreed to ${marketing ? 'marketing ' : ''}messages by ${body.channel}`,
        },
      ]);
    const n: NotificationRecord = {
      notificationId: state.numbers.nextId('NT', 7),
      customerId: c.id,
      channel: body.channel,
      to: body.channel === 'email' ? c.email : c.phone,
      template: body.template,
      ...(body.subject ? { subject: body.subject } : {}),
      ...(body.message ? { message: body.message } : {}),
      ...(body.reference ? { reference: body.reference } : {}),
      createdAt: ctx.clock.now(),
    };
    sent.push(n);
    return { status: 201, body: view(n) };
  });

  r.get('/notifications', (req) => {
    const q = parse(NotificationQuery, req.query, 'query');
    return {
      notifications: sent
        .filter(
          (n) =>
            (q.customerId === undefined || n.customerId === q.customerId) &&
            (q.reference === undefined || n.reference === q.reference),
        )
        .map(view),
    };
  });

  r.get('/notifications/:id', (req) => {
    const { id } = req.params as { id: string };
    const n = sent.find((x) => x.notificationId === id);
    if (!n) throw new NotFoundError('notification', id);
    return view(n);
  });
}
