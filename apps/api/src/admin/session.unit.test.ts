import { AdminSessions, readCookie, SESSION_TTL_MS } from './session';

describe('AdminSessions', () => {
  const token = 'admin-token-0123456789abcdef';
  const sessions = new AdminSessions(token);

  it('issues a value that verifies and does not contain the token', () => {
    const value = sessions.issue();
    expect(sessions.verify(value)).toBe(true);
    expect(value).not.toContain(token);
  });

  it('refuses a session past its expiry', () => {
    const now = Date.now();
    const value = sessions.issue(now);
    expect(sessions.verify(value, now + SESSION_TTL_MS - 1)).toBe(true);
    expect(sessions.verify(value, now + SESSION_TTL_MS)).toBe(false);
  });

  it('refuses a value whose expiry was pushed out, whose signature was changed, or that is malformed', () => {
    const [expires, nonce, signature] = sessions.issue().split('.');
    expect(sessions.verify(`${Number(expires) + 3600_000}.${nonce}.${signature}`)).toBe(false);
    expect(sessions.verify(`${expires}.${nonce}.${signature.slice(0, -2)}AA`)).toBe(false);
    expect(sessions.verify(`${expires}.${nonce}`)).toBe(false);
    expect(sessions.verify('')).toBe(false);
    expect(sessions.verify(undefined)).toBe(false);
  });

  it('refuses a session signed under another ADMIN_TOKEN (changing the token logs everyone out)', () => {
    expect(new AdminSessions('another-token-0123456789').verify(sessions.issue())).toBe(false);
  });

  it('recognises the admin token and nothing else', () => {
    expect(sessions.isAdminToken(token)).toBe(true);
    expect(sessions.isAdminToken(token + 'x')).toBe(false);
    expect(sessions.isAdminToken('')).toBe(false);
    expect(sessions.isAdminToken(undefined)).toBe(false);
  });
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('a=1; crm_push_admin=v.1.x; b=2', 'crm_push_admin')).toBe('v.1.x');
    expect(readCookie('xcrm_push_admin=1', 'crm_push_admin')).toBeUndefined();
    expect(readCookie(undefined, 'crm_push_admin')).toBeUndefined();
  });

  it('ignores a value that is not valid percent-encoding', () => {
    expect(readCookie('crm_push_admin=%E0%A4%A', 'crm_push_admin')).toBeUndefined();
  });
});
