import type { Command } from 'commander';
import { connectorsFromConfig, type SystemHealth } from '../../connectors/index.js';
import { type GlobalOptions, loadConfig, openConfiguredStore } from '../context.js';
import { type Io, iso, json, table } from '../output.js';
import { parseNonNegative } from './runs.js';

const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

export function registerConnectors(program: Command, io: Io): void {
  const g = () => program.opts<GlobalOptions>();
  const connectors = program.command('connectors').description('the systems Baton calls and their health');

  connectors
    .command('status')
    .description('calls, error rate, p50/p99 latency, breaker, last success and error per system')
    .option('--window <minutes>', 'the window of the figures', parseNonNegative, 15)
    .option('--probe', "also run each system's health check")
    .option('--json', 'print JSON')
    .action(async (o) => {
      const config = loadConfig(g());
      const store = await openConfiguredStore(config);
      try {
        const registry = connectorsFromConfig(config, store);
        const items: Array<SystemHealth & { probe?: { ok: boolean; latencyMs: number; error?: string } }> =
          await registry.health({ windowMs: Math.max(1, o.window) * 60_000 });
        if (o.probe)
          for (const item of items)
            if (registry.systems().includes(item.system) && config.connectors[item.system]?.baseUrl)
              item.probe = await registry.probe(item.system);
        if (o.json) {
          io.out(json(items));
          return;
        }
        io.out(
          table(
            items.map((h) => ({
              system: h.system,
              status: h.probe && !h.probe.ok ? 'unreachable' : h.status,
              calls: h.calls,
              errors: percent(h.errorRate),
              p50: h.p50Ms === undefined ? '' : `${h.p50Ms}ms`,
              p99: h.p99Ms === undefined ? '' : `${h.p99Ms}ms`,
              breaker: h.breaker,
              'last ok': iso(h.lastSuccessAt),
              'last error': h.lastError ? `${iso(h.lastErrorAt)} ${h.lastError}` : '',
            })),
            ['system', 'status', 'calls', 'errors', 'p50', 'p99', 'breaker', 'last ok', 'last error'],
          ),
        );
      } finally {
        await store.close();
      }
    });
}
