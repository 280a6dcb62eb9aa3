import { ConfigError } from './errors.js';

/**
 * Webhook senders, per provider and source name (the `{source}` of `/v1/webhooks/<provider>/{source}`).
 * Secrets are checked for shape only and never appear in an error message or a log line.
 */
export interface WebhookSettings {
  /** Requests a minute each webhook source may send. */
  rateLimitPerMinute: number;
  /** Shopify shops: the app's shared secret signs every delivery (`X-Shopify-Hmac-Sha256`). */
  shopify: Record<string, { secret: string }>;
  /**
   * Medusa stores: with a `secret` every delivery must carry `X-Medusa-Signature: sha256=<hex>`;
   * without one the sender authenticates with an API key that may publish order.created.
   */
  medusa: Record<string, { secret?: string }>;
}

export const defaultWebhooks: WebhookSettings = { rateLimitPerMinute: 600, shopify: {}, medusa: {} };

const SOURCE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KNOWN = Object.keys(defaultWebhooks);

/** Merges webhook overrides onto the defaults (the provider tables are replaced, not merged). */
export function mergeWebhooks(over: Partial<WebhookSettings> | undefined): WebhookSettings {
  return { ...defaultWebhooks, ...over };
}

export function checkWebhooks(w: WebhookSettings): void {
  if (w === null || typeof w !== 'object' || Array.isArray(w))
    throw new ConfigError('webhooks must be an object of settings');
  for (const k of Object.keys(w))
    if (!KNOWN.includes(k))
      throw new ConfigError(`unknown setting "webhooks.${k}" (known: ${KNOWN.join(', ')})`);
  if (!Number.isInteger(w.rateLimitPerMinute) || w.rateLimitPerMinute <= 0)
    throw new ConfigError(
      `webhooks.rateLimitPerMinute must be a positive integer, got ${w.rateLimitPerMinute}`,
    );
  for (const provider of ['shopify', 'medusa'] as const) {
    const sources = w[provider] as Record<string, { secret?: unknown }>;
    if (sources === null || typeof sources !== 'object' || Array.isArray(sources))
      throw new ConfigError(`webhooks.${provider} must map source names to settings`);
    for (const [source, s] of Object.entries(sources)) {
      const at = `webhooks.${provider}.${source}`;
      if (!SOURCE.test(source))
        throw new ConfigError(`${at}: a source name is lower-case letters, digits and "-" (at most 63)`);
      if (s === null || typeof s !== 'object' || Array.isArray(s))
        throw new ConfigError(`${at} must be an object such as { "secret": "…" }`);
      for (const k of Object.keys(s))
        if (k !== 'secret') throw new ConfigError(`unknown setting "${at}.${k}" (known: secret)`);
      if (s.secret === undefined && provider === 'medusa') continue;
      // the value itself is never echoed: config errors are printed and logged
      if (typeof s.secret !== 'string' || s.secret.length < 16 || s.secret.trim() !== s.secret)
        throw new ConfigError(
          `${at}.secret must be a string of at least 16 characters without surrounding spaces`,
        );
    }
  }
}
