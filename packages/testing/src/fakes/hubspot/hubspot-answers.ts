import { randomUUID } from 'node:crypto';
import type { FakeResponse, ScriptedAnswer } from '../fake-server';
import type { PropertyProblem } from './contact-store';

/** HubSpot's three 429 policies (`policyName` in the body). */
export type HubSpotRateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

/** HubSpot's error JSON: `{status: "error", message, correlationId, category, ...}`. */
export function hubspotError(status: number, category: string, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } };
}

export function conflict(existingId: string): FakeResponse {
  return hubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existingId}`);
}

export function notFound(): FakeResponse {
  return hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
}

/** What HubSpot says to a missing, unknown or revoked token. */
export function unauthorized(): FakeResponse {
  return hubspotError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
}

export function invalidProperties(problems: PropertyProblem[]): FakeResponse {
  return hubspotError(400, 'VALIDATION_ERROR', validationMessage(problems), {
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
}

export function validationMessage(problems: PropertyProblem[]): string {
  return `Property values were not valid: ${JSON.stringify(problems)}`;
}

const RATE_LIMIT_MESSAGES: Record<HubSpotRateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

/** HubSpot's 429 body for one policy, as documented on the usage-details page. */
export function rateLimitBody(policy: HubSpotRateLimitPolicy): Record<string, unknown> {
  return {
    status: 'error',
    message: RATE_LIMIT_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    requestId: randomUUID(),
  };
}

/** Values for the `X-HubSpot-RateLimit-*` headers. */
export interface RateLimitState {
  daily: number;
  dailyRemaining: number;
  intervalMs: number;
  max: number;
  remaining: number;
}

export function rateLimitHeaders(s: RateLimitState): Record<string, string> {
  return {
    'X-HubSpot-RateLimit-Daily': String(s.daily),
    'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, s.dailyRemaining)),
    'X-HubSpot-RateLimit-Interval-Milliseconds': String(s.intervalMs),
    'X-HubSpot-RateLimit-Max': String(s.max),
    'X-HubSpot-RateLimit-Remaining': String(Math.max(0, s.remaining)),
  };
}

/**
 * A scripted 429 for `fake.server.script(route, [...])`, with the headers HubSpot sends.
 * `retryAfterSeconds` adds a Retry-After header (HubSpot usually sends none).
 */
export function hubspotRateLimited(policy: HubSpotRateLimitPolicy, opts: { retryAfterSeconds?: number; intervalMs?: number } = {}): ScriptedAnswer {
  const daily = policy === 'DAILY';
  const headers = rateLimitHeaders({
    daily: 250000,
    dailyRemaining: daily ? 0 : 240000,
    intervalMs: opts.intervalMs ?? (policy === 'SECONDLY' ? 1000 : 10000),
    max: 190,
    remaining: 0,
  });
  if (opts.retryAfterSeconds !== undefined) headers['Retry-After'] = String(opts.retryAfterSeconds);
  return { status: 429, body: rateLimitBody(policy), headers };
}

/** A scripted HubSpot error answer (e.g. 502, 400) for `fake.server.script`. */
export function hubspotScriptedError(status: number, category: string, message: string): ScriptedAnswer {
  const { body } = hubspotError(status, category, message);
  return { status, body };
}
