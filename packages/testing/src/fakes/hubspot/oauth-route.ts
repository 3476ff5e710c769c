import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeRequest, FakeResponse } from '../fake-server';

export interface FakeOAuthState {
  clientId: string;
  clientSecret: string;
  /** Refresh tokens the fake accepts; a refresh rotates nothing (HubSpot keeps the refresh token). */
  refreshTokens: Set<string>;
  /** Bearer tokens the CRM routes accept; a successful token call adds one. */
  accessTokens: Set<string>;
}

/** `POST /oauth/v1/token` (form-encoded, no Authorization header), refresh_token grant. */
export function oauthToken(state: FakeOAuthState, req: FakeRequest): FakeResponse {
  const form = (typeof req.body === 'object' && req.body) || {};
  if (form.grant_type !== 'refresh_token') return oauthError('UNSUPPORTED_GRANT_TYPE', 'grant_type must be refresh_token');
  if (form.client_id !== state.clientId) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id');
  if (form.client_secret !== state.clientSecret) return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret');
  if (!state.refreshTokens.has(form.refresh_token)) return oauthError('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
  const accessToken = `fake-hs-access-${randomBytes(8).toString('hex')}`;
  state.accessTokens.add(accessToken);
  return {
    status: 200,
    body: { token_type: 'bearer', refresh_token: form.refresh_token, access_token: accessToken, expires_in: 1800 },
  };
}

/** HubSpot's OAuth errors put the reason in `status`, not `category`. */
function oauthError(status: string, message: string): FakeResponse {
  return { status: 400, body: { status, message, correlationId: randomUUID(), requestId: randomUUID() } };
}
