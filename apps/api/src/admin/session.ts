import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'crm_push_admin';
/** A browser session lasts a working day; then the login page asks for the token again. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

/**
 * Stateless admin sessions: `<expiresAtMs>.<nonce>.<hmac>`, signed with a key derived from
 * ADMIN_TOKEN. The cookie never holds the token, and changing ADMIN_TOKEN ends every session.
 */
export class AdminSessions {
  private readonly key: Buffer;
  private readonly tokenDigest: Buffer;

  constructor(adminToken: string) {
    this.key = createHmac('sha256', adminToken).update('crm-push admin session v1').digest();
    this.tokenDigest = sha256(adminToken);
  }

  /** Constant-time comparison with ADMIN_TOKEN. */
  isAdminToken(candidate: string | undefined): boolean {
    return candidate !== undefined && candidate !== '' && timingSafeEqual(sha256(candidate), this.tokenDigest);
  }

  issue(now = Date.now()): string {
    const body = `${now + SESSION_TTL_MS}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  verify(value: string | undefined, now = Date.now()): boolean {
    const parts = value?.split('.');
    if (!parts || parts.length !== 3) return false;
    const [expires, nonce, signature] = parts;
    const expected = Buffer.from(this.sign(`${expires}.${nonce}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(expires) > now;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The value of one cookie from a Cookie header (no cookie library needed for one name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return safeDecode(part.slice(eq + 1).trim());
  }
  return undefined;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
