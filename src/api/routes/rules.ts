import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../core/index.js';
import {
  type DecisionTable,
  type Definitions,
  type DraftReview,
  parseDmn,
  RuleGovernance,
} from '../../rules/index.js';
import type { RuleDraftRecord, RuleVersionRecord } from '../../store/index.js';
import { type Api, type ApiDeps, actorOf, secured } from '../context.js';
import { problems } from '../schemas.js';

const SetParam = Type.String({
  pattern: '^[A-Za-z_][A-Za-z0-9._-]{0,99}$',
  description: 'The DMN definitions id',
});
const DecisionParam = Type.String({
  pattern: '^[A-Za-z_][A-Za-z0-9._-]{0,99}$',
  description: 'A decision id',
});
const RegionParam = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  description: 'For example north or EU-DE',
});
const DraftParam = Type.String({ minLength: 1, maxLength: 64 });
const Model = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description: `${description} (the decision model as JSON)` });
const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });

const RuleSet = Open('A rule set: id, name, latestVersion, createdAt, createdBy, updatedAt');
const Draft = Open('A draft: id, kind (set or override), setId, baseVersion, author, status, …');
const Review = Type.Object({
  draft: Draft,
  against: Open('What the diff compares with: a set version, an override version or the enterprise table'),
  stale: Type.Boolean({ description: 'The base moved on: an approval would be refused' }),
  diff: Open('Rules added, removed and changed by rule id with their cells; hit policy and column changes'),
  text: Type.String({ description: 'The diff as text for a reviewer' }),
});
const XML_TYPES = ['application/xml', 'text/xml', 'application/dmn+xml'];

/** A version without its XML, for listings. */
const summary = ({ definitions: _, dmnXml: __, ...v }: RuleVersionRecord) => v;
/** A draft without its content (read the draft to see it). */
const draftSummary = ({ content: _, dmnXml: __, ...d }: RuleDraftRecord) => d;
const reviewBody = (r: DraftReview) => ({ ...r, draft: r.draft });

/**
 * Rule governance: rule sets and their published versions (JSON or DMN 1.3 XML), drafts with their
 * diffs, reviews under maker-checker, and regional overrides. An approval by the draft's author is
 * refused with 409 whatever the key's roles, admin included.
 */
export function ruleRoutes(app: Api, { engine, clock }: ApiDeps): void {
  const rules = new RuleGovernance({ store: engine.store, clock });

  // DMN files are proposed as they are: the XML arrives as text and is parsed by the rules module
  app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get(
    '/v1/rule-sets',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary: 'List the rule sets with their latest published version',
        security: secured,
        response: { 200: Type.Object({ items: Type.Array(RuleSet) }), ...problems() },
      },
    },
    async () => ({ items: await rules.listSets() }),
  );

  app.get(
    '/v1/rule-sets/:set',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary: 'One rule set with its published versions (who proposed and who approved each)',
        security: secured,
        params: Type.Object({ set: SetParam }),
        response: { 200: Type.Object({ versions: Type.Array(Open('A version')) }), ...problems(404) },
      },
    },
    async (req) => ({ versions: (await rules.versions(req.params.set)).map(summary) }),
  );

  app.get(
    '/v1/rule-sets/:set/versions/:version',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary:
          'One published version (`latest` for the newest), as JSON or, with ?format=dmn, as DMN 1.3 XML',
        security: secured,
        params: Type.Object({
          set: SetParam,
          version: Type.String({ pattern: '^([1-9][0-9]{0,8}|latest)$' }),
        }),
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('dmn')])),
        }),
        response: {
          200: Type.Union([
            Type.Object({ version: Open('The version with its definitions') }),
            Type.String({ description: 'With ?format=dmn: the DMN 1.3 XML (application/xml)' }),
          ]),
          ...problems(404),
        },
      },
    },
    async (req, reply) => {
      const { set, version } = req.params;
      const v = await rules.version(set, version === 'latest' ? undefined : Number(version));
      if (req.query.format === 'dmn') return reply.type('application/xml').send(v.dmnXml);
      const { model: _, dmnXml: __, ...record } = v;
      return { version: record };
    },
  );

  app.post(
    '/v1/rule-sets/:set/drafts',
    {
      config: { permission: 'rules:propose' },
      schema: {
        tags: ['rules'],
        summary: 'Propose the next version of a rule set, as JSON or as a DMN 1.3 XML body',
        description:
          'Send `{ "definitions": …, "comment": … }` as JSON, or the DMN file itself as application/xml (the comment then in `?comment=`). The definitions id must be the set id. The draft publishes nothing until another person approves it.',
        security: secured,
        params: Type.Object({ set: SetParam }),
        querystring: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }),
        body: Type.Union([
          Type.Object(
            {
              definitions: Model('The whole rule set'),
              comment: Type.Optional(Type.String({ maxLength: 2000 })),
            },
            { additionalProperties: false },
          ),
          Type.String({ description: 'DMN 1.3 XML' }),
        ]),
        response: { 201: Review, ...problems(400, 409) },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const defs =
        typeof body === 'string'
          ? await parseDmn(body, 'the DMN body')
          : (body.definitions as unknown as Definitions);
      if (typeof defs !== 'object' || !Array.isArray((defs as Definitions).decisions))
        throw new ValidationError('definitions must have a decisions list', [
          { path: '/definitions/decisions', message: 'required' },
        ]);
      if (defs.id !== req.params.set)
        throw new ValidationError(`the definitions id is "${defs.id}", not the rule set ${req.params.set}`, [
          { path: '/definitions/id', message: `must be ${req.params.set}` },
        ]);
      const comment = typeof body === 'string' ? req.query.comment : (body.comment ?? req.query.comment);
      const review = await rules.propose(defs, actorOf(req), comment ? { comment } : {});
      return reply
        .code(201)
        .header('location', `/v1/rule-drafts/${review.draft.id}`)
        .send(reviewBody(review));
    },
  );

  app.get(
    '/v1/rule-drafts',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary: 'List drafts, newest first',
        security: secured,
        querystring: Type.Object({
          set: Type.Optional(SetParam),
          status: Type.Optional(Type.Union(['open', 'approved', 'rejected'].map((s) => Type.Literal(s)))),
          kind: Type.Optional(Type.Union([Type.Literal('set'), Type.Literal('override')])),
          region: Type.Optional(RegionParam),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Draft) }), ...problems() },
      },
    },
    async (req) => {
      const q = req.query;
      const items = await rules.drafts({
        ...(q.set ? { setId: q.set } : {}),
        ...(q.status ? { status: q.status as RuleDraftRecord['status'] } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.region ? { region: q.region } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return { items: items.map(draftSummary) };
    },
  );

  app.get(
    '/v1/rule-drafts/:id',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary: 'One draft with its diff against what an approval would replace',
        security: secured,
        params: Type.Object({ id: DraftParam }),
        response: { 200: Review, ...problems(404) },
      },
    },
    async (req) => reviewBody(await rules.review(req.params.id)),
  );

  app.post(
    '/v1/rule-drafts/:id/approve',
    {
      config: { permission: 'rules:approve' },
      schema: {
        tags: ['rules'],
        summary: 'Approve a draft: it is published as the next version (or the region’s next override)',
        description:
          'Maker-checker: the draft’s author cannot approve it, whatever the key’s roles (admin included): 409. A draft whose base version moved meanwhile is refused with 409 as stale; its author proposes it again.',
        security: secured,
        params: Type.Object({ id: DraftParam }),
        body: Type.Object(
          { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Open('The approved draft and the version or override it published'),
          ...problems(404, 409),
        },
      },
    },
    async (req) => {
      const result = await rules.approve(
        req.params.id,
        actorOf(req),
        req.body.comment ? { comment: req.body.comment } : {},
      );
      return result.kind === 'set'
        ? { kind: 'set', draft: draftSummary(result.draft), version: summary(result.version) }
        : { kind: 'override', draft: draftSummary(result.draft), override: result.override };
    },
  );

  app.post(
    '/v1/rule-drafts/:id/reject',
    {
      config: { permission: 'rules:approve' },
      schema: {
        tags: ['rules'],
        summary: 'Reject a draft with a reason; nothing is published',
        security: secured,
        params: Type.Object({ id: DraftParam }),
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Draft, ...problems(404, 409) },
      },
    },
    async (req) => draftSummary(await rules.reject(req.params.id, actorOf(req), req.body.reason)),
  );

  app.get(
    '/v1/decisions/:decision/active',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary:
          'The table a decision evaluates with: the region’s approved override, else the enterprise table',
        security: secured,
        params: Type.Object({ decision: DecisionParam }),
        querystring: Type.Object({ region: Type.Optional(RegionParam) }),
        response: { 200: Open('table, setId, setVersion, region, overrideVersion'), ...problems(404) },
      },
    },
    async (req) => rules.active(req.params.decision, req.query.region ? { region: req.query.region } : {}),
  );

  app.get(
    '/v1/decisions/:decision/overrides',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        summary:
          'The regional overrides of a decision (the latest version per region; withdrawn ones have no table)',
        security: secured,
        params: Type.Object({ decision: DecisionParam }),
        response: { 200: Type.Object({ items: Type.Array(Open('An override')) }), ...problems() },
      },
    },
    async (req) => ({ items: await rules.overrides({ decisionId: req.params.decision }) }),
  );

  app.post(
    '/v1/decisions/:decision/overrides/:region',
    {
      config: { permission: 'rules:propose' },
      schema: {
        tags: ['rules'],
        summary: 'Propose a regional override of a decision (or, with a null table, its withdrawal)',
        description:
          'The table keeps the enterprise table’s inputs and outputs; only the rules differ. Like every draft it needs another person’s approval.',
        security: secured,
        params: Type.Object({ decision: DecisionParam, region: RegionParam }),
        body: Type.Object(
          {
            table: Type.Union([Model('The exception table'), Type.Null()]),
            comment: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Review, ...problems(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const { decision, region } = req.params;
      const table = req.body.table as unknown as DecisionTable | null;
      const review = await rules.proposeOverride(
        { decisionId: decision, region, table },
        actorOf(req),
        req.body.comment ? { comment: req.body.comment } : {},
      );
      return reply
        .code(201)
        .header('location', `/v1/rule-drafts/${review.draft.id}`)
        .send(reviewBody(review));
    },
  );
}
