/** The headers HubSpot reports its limits in; kept on the attempt row. */
const RATE_LIMIT_HEADERS = [
  'x-hubspot-ratelimit-daily',
  'x-hubspot-ratelimit-daily-remaining',
  'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-max',
  'x-hubspot-ratelimit-remaining',
  'x-hubspot-ratelimit-secondly',
  'x-hubspot-ratelimit-secondly-remaining',
] as const;

/** Picks the rate-limit headers out of a response's headers (undefined when there are none). */
export function rateLimitMeta(headers: unknown): Record<string, string> | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const lower = new Map(Object.entries(headers as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const meta: Record<string, string> = {};
  for (const name of RATE_LIMIT_HEADERS) {
    const value = lower.get(name);
    if (value !== undefined && value !== null) meta[name] = String(value);
  }
  return Object.keys(meta).length ? meta : undefined;
}
