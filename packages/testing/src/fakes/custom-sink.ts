import { randomUUID } from 'node:crypto';
import { FakeServer } from './fake-server';

export interface CustomSinkOptions {
  /** A rolling-window limit the sink enforces: past it, 429 with Retry-After (seconds). */
  limit?: { requests: number; intervalMs: number };
}

/**
 * A custom REST destination: POST /leads stores the body and answers 201 {id}. Script the
 * "leads" route for failures (500s, 429 with Retry-After, hangs, resets). With `limit`, it
 * counts calls as a rolling window and refuses those over it, as a rate-limited API does.
 */
export function createCustomSink(opts: CustomSinkOptions = {}) {
  const server = new FakeServer();
  const received: { id: string; body: unknown; idempotencyKey?: string; at: number }[] = [];
  const window: number[] = [];
  const stats = { rejected: 0 };
  server.route('leads', 'POST', '/leads', (req) => {
    const now = Date.now();
    if (opts.limit) {
      while (window.length && window[0] <= now - opts.limit.intervalMs) window.shift();
      if (window.length >= opts.limit.requests) {
        stats.rejected++;
        const retryAfterS = Math.max(1, Math.ceil((window[0] + opts.limit.intervalMs - now) / 1000));
        return { status: 429, body: { error: 'rate limited' }, headers: { 'retry-after': String(retryAfterS) } };
      }
      window.push(now);
    }
    const id = randomUUID();
    received.push({ id, body: req.body, idempotencyKey: req.headers['idempotency-key'] as string | undefined, at: now });
    return { status: 201, body: { id } };
  });
  server.route('leads.head', 'HEAD', '/leads', () => ({ status: 200 }));
  return Object.assign(server, { received, stats });
}

export type CustomSink = ReturnType<typeof createCustomSink>;
