import type { FakeSalesforce } from '../../../testing/src/fakes/salesforce';
import type { SalesforceCredentials } from './config';
import { adapterFor, ctx, LEAD, REFRESHABLE, rejection, startFakeOrg } from './__tests__/fake-org';

describe('Salesforce token refresh (jsforce refresh on 401, capped)', () => {
  let fake: FakeSalesforce;
  let saved: SalesforceCredentials[];
  const hooks = { onCredentialsChanged: async (next: SalesforceCredentials) => void saved.push(next) };
  beforeEach(async () => {
    fake = await startFakeOrg({ rotateRefreshTokens: true });
    saved = [];
  });
  afterEach(() => fake.stop());

  it('refreshes an expired token once, lands the lead, and hands the rotated refresh token to the hook', async () => {
    fake.expireAccessToken('sf-access-token');

    const result = await adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx);

    expect(fake.recordsOf('Lead')).toEqual([{ ...LEAD, Id: result.externalId }]);
    expect(fake.tokenCalls()).toBe(1);
    const [refresh] = fake.server.callsTo('oauth.token');
    expect(refresh.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(refresh.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'sf-refresh-token',
      client_id: 'sf-client-id',
      client_secret: 'sf-client-secret',
    });
    expect(saved).toHaveLength(1);
    expect(saved[0]).toEqual({ ...REFRESHABLE, accessToken: expect.not.stringMatching(/^sf-access-token$/), refreshToken: fake.validRefreshToken });
    expect(saved[0].refreshToken).not.toBe('sf-refresh-token');
    // The replayed create carried the new token.
    const creates = fake.server.callsTo('sobject.create');
    expect(creates.map((c) => c.headers.authorization)).toEqual(['Bearer sf-access-token', `Bearer ${saved[0].accessToken}`]);
  });

  it('keeps the old refresh token when Salesforce does not rotate it', async () => {
    fake.rotateRefreshTokens = false;
    fake.expireAccessToken();
    await adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx);
    expect(saved).toEqual([{ ...REFRESHABLE, accessToken: expect.any(String) }]);
    expect(saved[0].accessToken).not.toBe('sf-access-token');
  });

  it('caps refreshes: the token endpoint succeeds but the API keeps answering 401 → one token call, INVALID_SESSION_ID, not retried', async () => {
    fake.server.script('sobject.create', [], { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] });

    const err = await rejection(adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx));

    expect(err).toMatchObject({ code: 'INVALID_SESSION_ID', message: 'Session expired or invalid', retryable: false, statusCode: 401 });
    expect(fake.tokenCalls()).toBe(1);
    expect(fake.server.callsTo('sobject.create')).toHaveLength(2);
    // The refresh itself worked, so its rotated token was still stored.
    expect(saved).toHaveLength(1);
  });

  it('gives each push its own refresh budget', async () => {
    const adapter = adapterFor(fake.url, { credentials: REFRESHABLE, hooks });
    fake.expireAccessToken();
    await adapter.push(LEAD, ctx);
    fake.expireAccessToken();
    await adapter.push(LEAD, ctx);
    expect(fake.tokenCalls()).toBe(2);
    expect(fake.recordsOf('Lead')).toHaveLength(2);
  });

  it('fails without retry on invalid_grant (refresh token revoked), with the vendor code and message', async () => {
    fake.expireAccessToken();
    fake.validRefreshToken = 'some-other-token';

    const err = await rejection(adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx));

    expect(err).toMatchObject({ code: 'invalid_grant', message: 'expired access/refresh token', retryable: false, statusCode: 400 });
    expect(fake.tokenCalls()).toBe(1);
    expect(saved).toEqual([]);
    expect(fake.recordsOf('Lead')).toEqual([]);
  });

  it('fails retryably when the token endpoint does not answer in time', async () => {
    fake.expireAccessToken();
    fake.server.script('oauth.token', [{ hang: true }]);
    const err = await rejection(adapterFor(fake.url, { config: { timeoutMs: 200 }, credentials: REFRESHABLE, hooks }).push(LEAD, ctx));
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('fails retryably when the token endpoint answers 5xx', async () => {
    fake.expireAccessToken();
    fake.server.script('oauth.token', [{ status: 503, body: 'down', headers: { 'content-type': 'text/plain' } }]);
    const err = await rejection(adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx));
    expect(err).toMatchObject({ code: 'ERROR_HTTP_503', retryable: true, statusCode: 503 });
  });

  it('stays on the configured instance even if the token answer names another instance_url', async () => {
    fake.expireAccessToken();
    const token = fake.issueAccessToken();
    fake.server.script('oauth.token', [
      {
        status: 200,
        body: { access_token: token, instance_url: 'http://127.0.0.1:1', id: `${fake.url}/id/00D/005`, token_type: 'Bearer', issued_at: '1', signature: 's' },
      },
    ]);
    await adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).push(LEAD, ctx);
    expect(fake.recordsOf('Lead')).toHaveLength(1);
  });

  it('refreshes at the configured tokenUrl', async () => {
    const login = await startFakeOrg();
    try {
      fake.expireAccessToken();
      const token = fake.issueAccessToken();
      login.server.script('oauth.token', [
        {
          status: 200,
          body: { access_token: token, instance_url: fake.url, id: `${login.url}/id/00D/005`, token_type: 'Bearer', issued_at: '1', signature: 's' },
        },
      ]);

      await adapterFor(fake.url, { credentials: { ...REFRESHABLE, tokenUrl: `${login.url}/services/oauth2/token` }, hooks }).push(LEAD, ctx);

      expect(login.tokenCalls()).toBe(1);
      expect(fake.tokenCalls()).toBe(0);
      expect(fake.recordsOf('Lead')).toHaveLength(1);
    } finally {
      await login.stop();
    }
  });

  it('fails without retry when the token endpoint answers an unknown 4xx', async () => {
    fake.expireAccessToken();
    const err = await rejection(adapterFor(fake.url, { credentials: { ...REFRESHABLE, tokenUrl: `${fake.url}/no/such/token` }, hooks }).push(LEAD, ctx));
    expect(err).toMatchObject({ retryable: false, statusCode: 404 });
  });

  it('fails retryably when the refreshed credentials cannot be stored', async () => {
    fake.expireAccessToken();
    const failing = { onCredentialsChanged: async () => Promise.reject(new Error('database is down')) };
    const err = await rejection(adapterFor(fake.url, { credentials: REFRESHABLE, hooks: failing }).push(LEAD, ctx));
    expect(err).toMatchObject({ code: 'CREDENTIALS_NOT_SAVED', retryable: true });
    expect(err.message).not.toContain('sf-');
  });

  it('refreshes during pushMany too', async () => {
    fake.expireAccessToken();
    const results = await adapterFor(fake.url, { credentials: REFRESHABLE, hooks }).pushMany([{ record: LEAD, ctx }]);
    expect(results[0].ok).toBe(true);
    expect(fake.tokenCalls()).toBe(1);
    expect(saved).toHaveLength(1);
  });
});
