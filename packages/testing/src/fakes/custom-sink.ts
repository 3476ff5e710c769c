import { randomUUID } from 'node:crypto';
import { FakeServer } from './fake-server';

/**
 * A custom REST destination: POST /leads stores the body and answers 201 {id}. Script the
 * "leads" route for failures (500s, 429 with Retry-After, hangs, resets).
 */
export function createCustomSink() {
  const server = new FakeServer();
  const received: { id: string; body: unknown; idempotencyKey?: string }[] = [];
  server.route('leads', 'POST', '/leads', (req) => {
    const id = randomUUID();
    received.push({ id, body: req.body, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
    return { status: 201, body: { id } };
  });
  server.route('leads.head', 'HEAD', '/leads', () => ({ status: 200 }));
  return Object.assign(server, { received });
}

export type CustomSink = ReturnType<typeof createCustomSink>;
