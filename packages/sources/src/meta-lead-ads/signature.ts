import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidSignature } from '../source-error';

/** X-Hub-Signature-256: `sha256=<hex HMAC-SHA256 of the raw body under the app secret>`, compared in constant time. */
export function assertHubSignature(raw: Buffer, header: string | undefined, appSecret: string): void {
  if (!header) throw invalidSignature('missing X-Hub-Signature-256 header');
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) throw invalidSignature('X-Hub-Signature-256 must be sha256=<64 hex digits>');
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  if (!timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) throw invalidSignature('X-Hub-Signature-256 does not match the body');
}

/** The header Meta would send for `body` (tests and the demo sign with it). */
export function hubSignature(body: string | Buffer, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');
}
