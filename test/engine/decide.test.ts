import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ApplicationFailure, StepFailedError } from '../../src/core/index.js';
import { type AnyWorkflow, type DecisionLogic, defineWorkflow } from '../../src/engine/index.js';
import { engineBackends, eventually, startEngineOn } from '../helpers.js';

interface Approval {
  approval: string;
}

/** A transfer approval limit as decision logic; counts its evaluations. */
function limitLogic(version: number, limit: number) {
  const seen: Array<Record<string, unknown>> = [];
  const logic: DecisionLogic<Approval> = {
    id: 'transfer-approval',
    version,
    evaluate(facts) {
      seen.push(facts);
      const qty = facts.qty;
      if (typeof qty !== 'number') throw new TypeError('qty must be a number');
      if (qty > 1000)
        throw ApplicationFailure.nonRetryable('no rule matches qty over 1000', 'NoMatchingRule');
      return {
        outputs: { approval: qty <= limit ? 'auto' : 'store-operations' },
        matchedRules: [qty <= limit ? 'within' : 'over'],
      };
    },
  };
  return { logic, seen };
}

for (const backend of await engineBackends()) {
  describe(`ctx.decide on ${backend.name}`, { skip: backend.skip }, () => {
    const startEngine = (w: AnyWorkflow[]) => startEngineOn(backend, w);

    // the workflow reads whichever logic is current, as code reading a live rule set would
    let current = limitLogic(1, 50);
    const transfer = defineWorkflow({
      name: 'test.transfer-decide',
      version: 1,
      input: Type.Object({ transferId: Type.String(), qty: Type.Number(), wait: Type.Boolean() }),
      async run(ctx, input) {
        let decided: Approval;
        try {
          decided = await ctx.decide(current.logic, { qty: input.qty, requestedAt: new Date(0) });
        } catch (err) {
          if (err instanceof StepFailedError) return { path: 'exception', reason: err.failure.type };
          throw err;
        }
        if (input.wait)
          await ctx.waitForEvent('transfer.received', { match: { transferId: input.transferId } });
        return { path: decided.approval };
      },
    });

    test('a decision is journalled with its table, version, facts, matched rules and outputs', async () => {
      current = limitLogic(1, 50);
      const { engine } = await startEngine([transfer]);
      const run = await engine.startRun(transfer, { transferId: 'T-1', qty: 12, wait: false });
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.output, { path: 'auto' });
      const [entry] = await engine.journal(run.id);
      assert.equal(entry?.kind, 'decide');
      assert.equal(entry?.name, 'transfer-approval');
      assert.equal(entry?.status, 'completed');
      assert.deepEqual(entry?.input, {
        table: 'transfer-approval',
        version: 1,
        facts: { qty: 12, requestedAt: '1970-01-01T00:00:00.000Z' },
      });
      assert.deepEqual(entry?.result, { outputs: { approval: 'auto' }, matchedRules: ['within'] });
      // the logic saw the facts as the journal keeps them, so the journal alone reproduces the decision
      assert.deepEqual(current.seen, [{ qty: 12, requestedAt: '1970-01-01T00:00:00.000Z' }]);
      const made = (await engine.history(run.id)).find((h) => h.type === 'decision.made');
      assert.deepEqual(made?.data, { table: 'transfer-approval', version: 1, matchedRules: ['within'] });
    });

    test('a run in flight keeps its recorded decision after the table changes: replay does not evaluate again', async () => {
      const v1 = limitLogic(1, 50);
      current = v1;
      const { engine } = await startEngine([transfer]);
      const run = await engine.startRun(transfer, { transferId: 'T-2', qty: 40, wait: true });
      await eventually(async () => (await engine.getRun(run.id)).status === 'waiting', 10_000, 'run to wait');
      assert.equal(v1.seen.length, 1);

      // the limit drops to 20: under the new table the transfer would need store operations
      const v2 = limitLogic(2, 20);
      current = v2;
      await engine.deliverEvent({ type: 'transfer.received', data: { transferId: 'T-2' } });
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.output, { path: 'auto' }, 'the recorded outputs, not the new table’s');
      assert.equal(v2.seen.length, 0, 'the changed table was never evaluated for this run');
      const decides = (await engine.journal(run.id)).filter((e) => e.kind === 'decide');
      assert.equal(decides.length, 1);
      assert.equal((decides[0]!.input as { version: number }).version, 1);

      const fresh = await engine.startRun(transfer, { transferId: 'T-3', qty: 40, wait: false });
      assert.deepEqual((await engine.waitForRun(fresh.id)).output, { path: 'store-operations' });
    });

    test('a decision that cannot decide fails like a non-retryable step, once', async () => {
      current = limitLogic(1, 50);
      const { engine } = await startEngine([transfer]);
      const run = await engine.startRun(transfer, { transferId: 'T-4', qty: 5000, wait: false });
      const done = await engine.waitForRun(run.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.output, { path: 'exception', reason: 'NoMatchingRule' });
      const [entry] = await engine.journal(run.id);
      assert.equal(entry?.status, 'failed');
      assert.equal(entry?.attempts, 1);
      assert.equal(entry?.error?.type, 'NoMatchingRule');
      assert.match(entry?.error?.message ?? '', /no rule matches qty over 1000/);
      assert.equal(current.seen.length, 1, 'no retries');
      assert.ok((await engine.history(run.id)).some((h) => h.type === 'decision.failed'));

      // uncaught, the failure fails the run with the step error
      const strict = defineWorkflow({
        name: 'test.decide-uncaught',
        version: 1,
        input: Type.Object({ qty: Type.Unknown() }),
        run: (ctx, input) => ctx.decide(current.logic, { qty: input.qty }),
      });
      engine.register(strict);
      const failed = await engine.waitForRun((await engine.startRun(strict, { qty: 'many' })).id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.code, 'STEP_FAILED');
      assert.match(
        failed.error?.message ?? '',
        /step "transfer-approval" failed after 1 attempt\(s\): qty must be a number/,
      );
    });

    test('a replayed failed decision throws the recorded failure without evaluating', async () => {
      const v1 = limitLogic(1, 50);
      current = v1;
      const waitThenFail = defineWorkflow({
        name: 'test.decide-fail-then-wait',
        version: 1,
        input: Type.Object({ qty: Type.Number() }),
        async run(ctx, input) {
          const reason = await ctx.decide(current.logic, { qty: input.qty }).then(
            () => 'decided',
            (err: StepFailedError) => err.failure.type ?? err.message,
          );
          await ctx.waitForEvent('go', { match: { qty: input.qty } });
          return reason;
        },
      });
      const { engine } = await startEngine([waitThenFail]);
      const run = await engine.startRun(waitThenFail, { qty: 2000 });
      await eventually(async () => (await engine.getRun(run.id)).status === 'waiting', 10_000, 'run to wait');
      current = limitLogic(2, 5000); // would now decide
      await engine.deliverEvent({ type: 'go', data: { qty: 2000 } });
      const done = await engine.waitForRun(run.id);
      assert.equal(done.output, 'NoMatchingRule');
      assert.equal(current.seen.length, 0);
      assert.equal(v1.seen.length, 1);
    });
  });
}
