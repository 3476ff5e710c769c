import { FakeServer, type FakeRequest, type FakeResponse } from '../fake-server';
import { batchCreate, batchUpsert } from './batch-routes';
import { ContactStore, type FakeContact } from './contact-store';
import { createContact, getContact, listContacts, updateContact } from './contact-routes';
import { rateLimitBody, rateLimitHeaders, unauthorized } from './hubspot-answers';
import { oauthToken, type FakeOAuthState } from './oauth-route';
import { DEFAULT_LIMITS, RateLimiter, type HubSpotLimits } from './rate-limiter';

/** Route names for `fake.server.script(...)` and `fake.server.callsTo(...)`. */
export const HUBSPOT_ROUTES = {
  create: 'contacts.create',
  update: 'contacts.update',
  get: 'contacts.get',
  list: 'contacts.list',
  batchCreate: 'contacts.batchCreate',
  batchUpsert: 'contacts.batchUpsert',
  token: 'oauth.token',
} as const;

export const FAKE_HUBSPOT_TOKEN = 'fake-hs-token';

/** A hubspot destination's body (without its name) calling this fake with its token; `config` adds settings. */
export function hubspotDestination(hubspot: { url: string }, config: Record<string, unknown> = {}) {
  return { type: 'hubspot', config: { baseUrl: hubspot.url, ...config }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } };
}

export interface FakeHubSpotOptions {
  /** Bearer tokens the CRM routes accept. @defaultValue [FAKE_HUBSPOT_TOKEN] */
  accessTokens?: string[];
  /** Rate limits the fake enforces (429 TEN_SECONDLY_ROLLING / DAILY) and reports in headers. */
  limits?: Partial<HubSpotLimits>;
}

export interface FakeHubSpot {
  /** The underlying server: `script`, `requests`, `callsTo`, `resetScripts`. */
  server: FakeServer;
  /** Base URL once started (what the SDK calls `basePath`). */
  readonly url: string;
  start(port?: number): Promise<string>;
  stop(): Promise<void>;
  contacts: ContactStore;
  /** Bearer tokens accepted; add or delete to revoke. */
  accessTokens: Set<string>;
  oauth: FakeOAuthState;
  limiter: RateLimiter;
  /** Stores a contact directly (no call counted), e.g. an "existing" one. */
  seedContact(properties: Record<string, unknown>): FakeContact;
}

/**
 * A fake HubSpot CRM v3 that answers as @hubspot/api-client 13.5 expects: contacts create / update
 * (by id or `idProperty`) / get / list, batch create and upsert with 207 partial results, the OAuth
 * token endpoint, Bearer auth and the `X-HubSpot-RateLimit-*` headers on every CRM answer.
 */
export function createFakeHubSpot(opts: FakeHubSpotOptions = {}): FakeHubSpot {
  const server = new FakeServer();
  const contacts = new ContactStore();
  const accessTokens = new Set(opts.accessTokens ?? [FAKE_HUBSPOT_TOKEN]);
  const oauth: FakeOAuthState = {
    clientId: 'fake-hs-client-id',
    clientSecret: 'fake-hs-client-secret',
    refreshTokens: new Set(['fake-hs-refresh-token']),
    accessTokens,
  };
  const limiter = new RateLimiter({ ...DEFAULT_LIMITS, ...opts.limits });
  const crm = (handler: (store: ContactStore, req: FakeRequest) => FakeResponse) => (req: FakeRequest) =>
    guarded(req, accessTokens, limiter, () => handler(contacts, req));

  server
    .route(HUBSPOT_ROUTES.batchCreate, 'POST', '/crm/v3/objects/contacts/batch/create', crm(batchCreate))
    .route(HUBSPOT_ROUTES.batchUpsert, 'POST', '/crm/v3/objects/contacts/batch/upsert', crm(batchUpsert))
    .route(HUBSPOT_ROUTES.create, 'POST', '/crm/v3/objects/contacts', crm(createContact))
    .route(HUBSPOT_ROUTES.list, 'GET', '/crm/v3/objects/contacts', crm(listContacts))
    .route(HUBSPOT_ROUTES.get, 'GET', '/crm/v3/objects/contacts/:contactId', crm(getContact))
    .route(HUBSPOT_ROUTES.update, 'PATCH', '/crm/v3/objects/contacts/:contactId', crm(updateContact))
    .route(HUBSPOT_ROUTES.token, 'POST', '/oauth/v1/token', (req) => oauthToken(oauth, req));

  return {
    server,
    get url() {
      return server.url;
    },
    start: (port) => server.start(port),
    stop: () => server.stop(),
    contacts,
    accessTokens,
    oauth,
    limiter,
    seedContact: (properties) => contacts.create(properties),
  };
}

/** Bearer auth first (401 carries no rate-limit headers), then the limits, then the route. */
function guarded(req: FakeRequest, tokens: Set<string>, limiter: RateLimiter, handle: () => FakeResponse): FakeResponse {
  const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
  if (!token || !tokens.has(token)) return unauthorized();
  const { exceeded, state } = limiter.take();
  const headers = rateLimitHeaders(state);
  if (exceeded) return { status: 429, body: rateLimitBody(exceeded), headers };
  const answer = handle();
  return { ...answer, headers: { ...headers, ...answer.headers } };
}
