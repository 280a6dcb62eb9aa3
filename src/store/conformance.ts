/**
 * The store conformance suite: one set of `node:test` tests that every `Store` implementation runs
 * unchanged. Each test opens a fresh store from the factory, closes it afterwards and then calls the
 * factory's `cleanup`. The suite uses fixed timestamps, awaits every call and relies only on the
 * `Store` interface and its capability flags, so it holds for in-process and networked backends alike.
 *
 * ```ts
 * storeConformance('sqlite', async () => ({ store: openSqliteStore({ path: fresh() }) }));
 * ```
 */
import { describe } from 'node:test';
import { commitTests } from './conformance/commit.js';
import { connectorTests } from './conformance/connectors.js';
import { eventTests } from './conformance/events.js';
import { type StoreFactory, storeTest } from './conformance/fixtures.js';
import { governanceTests } from './conformance/governance.js';
import { groupCommitTests } from './conformance/group-commit.js';
import { leaseTests } from './conformance/leases.js';
import { operationTests } from './conformance/operations.js';
import { outboxTests } from './conformance/outbox.js';
import { ruleTests } from './conformance/rules.js';
import { runTests } from './conformance/runs.js';
import { taskTests } from './conformance/tasks.js';

export type { StoreFactory };

export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`store conformance: ${name}`, () => {
    const test = storeTest(factory);
    runTests(test);
    leaseTests(test);
    commitTests(test);
    groupCommitTests(test);
    outboxTests(test);
    eventTests(test);
    operationTests(test);
    taskTests(test);
    governanceTests(test);
    ruleTests(test);
    connectorTests(test);
  });
}
