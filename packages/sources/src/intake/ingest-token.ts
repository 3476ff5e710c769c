import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'src_';

/** A new unguessable ingest token (192 random bits) and its SHA-256, the only form it is looked up by. */
export function newIngestToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  return { token, hash: hashIngestToken(token) };
}

export function hashIngestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a stored hash is the hash of `token`, compared in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashIngestToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** `/in/<token>`, absolute when PUBLIC_URL is set. */
export function ingestUrl(token: string, publicUrl?: string): string {
  const path = `/in/${token}`;
  return publicUrl ? publicUrl.replace(/\/+$/, '') + path : path;
}

/** A URL or path with any ingest token replaced, for logs: the token is the source's only key. */
export function redactIngestToken(url: string): string {
  return url.replace(/\/in\/[^/?#]+/, '/in/[token]');
}
