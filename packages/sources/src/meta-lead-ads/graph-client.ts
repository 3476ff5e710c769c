import { createNetworkPolicy, DeliveryError, httpCall, type HttpAnswer, type NetworkPolicy } from '@crm-push/outbound';
import { SourceError } from '../source-error';

const TIMEOUT_MS = 10_000;

/** Graph error codes that mean "later": application, user, page and per-app rate limits. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);

export interface GraphLead {
  id: string;
  created_time?: string;
  field_data?: { name: string; values?: unknown[] }[];
  [key: string]: unknown;
}

interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number };
}

/**
 * GET {graphBaseUrl}/{graphVersion}/{leadgenId} with the page token as a bearer (so it never sits
 * in a URL or a log line), through the private-network guard, never following a redirect.
 */
export async function fetchGraphLead(opts: {
  baseUrl: string;
  version: string;
  leadgenId: string;
  accessToken: string;
  allowPrivateNetworks: boolean;
}): Promise<GraphLead> {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(opts.version)}/${encodeURIComponent(opts.leadgenId)}`;
  let res: HttpAnswer;
  try {
    const policy = policyFor(opts.allowPrivateNetworks);
    await policy.assertUrlAllowed(url);
    res = await httpCall(policy, url, {
      method: 'GET',
      headers: { authorization: `Bearer ${opts.accessToken}`, accept: 'application/json', 'user-agent': 'crm-push' },
      timeoutMs: TIMEOUT_MS,
    });
  } catch (err) {
    if (err instanceof DeliveryError)
      throw new SourceError({ status: 502, code: err.code, message: `Graph API: ${err.message}`, retryable: err.retryable, cause: err });
    throw new SourceError({ status: 502, code: 'GRAPH_REQUEST_FAILED', message: `Graph API request failed: ${(err as Error).message}`, cause: err });
  }
  const text = res.text;
  if (res.statusCode >= 200 && res.statusCode < 300) {
    try {
      const lead = JSON.parse(text) as GraphLead;
      if (typeof lead?.id !== 'string') throw new Error('no lead id');
      return lead;
    } catch (err) {
      throw new SourceError({ status: 502, code: 'GRAPH_BAD_ANSWER', message: `Graph API answered ${res.statusCode} with no lead: ${(err as Error).message}` });
    }
  }
  throw graphError(res.statusCode, text);
}

/** A Graph answer other than 2xx, classified by its error code first and its status second. */
export function graphError(status: number, text: string): SourceError {
  let body: GraphErrorBody = {};
  try {
    body = JSON.parse(text) as GraphErrorBody;
  } catch {
    // not JSON: the status decides
  }
  const e = body.error ?? {};
  const detail = `${e.type ?? 'error'} ${e.code ?? '?'}${e.error_subcode ? `/${e.error_subcode}` : ''}: ${e.message ?? text.slice(0, 200)}`;
  if (e.code === 190) {
    return new SourceError({
      status,
      code: 'PAGE_TOKEN_INVALID',
      message: `Meta refused the page access token (${detail}); reconnect the page with a fresh token`,
    });
  }
  if (e.code === 100) return new SourceError({ status, code: 'LEAD_NOT_FOUND', message: `Graph API has no such lead or no access to it (${detail})` });
  if (e.code !== undefined && RATE_LIMIT_CODES.has(e.code)) {
    return new SourceError({ status, code: 'GRAPH_RATE_LIMITED', message: `Graph API rate limit (${detail})`, retryable: true });
  }
  if (status === 429 || status >= 500)
    return new SourceError({ status, code: 'GRAPH_UNAVAILABLE', message: `Graph API answered ${status} (${detail})`, retryable: true });
  if (status >= 300 && status < 400)
    return new SourceError({ status, code: 'UNEXPECTED_REDIRECT', message: `Graph API answered ${status}; redirects are not followed` });
  return new SourceError({ status, code: 'GRAPH_ERROR', message: `Graph API answered ${status} (${detail})` });
}

/** One policy (and so one guarded connection pool) per setting, for the life of the process. */
const policies = new Map<boolean, NetworkPolicy>();
function policyFor(allowPrivateNetworks: boolean): NetworkPolicy {
  let policy = policies.get(allowPrivateNetworks);
  if (!policy) policies.set(allowPrivateNetworks, (policy = createNetworkPolicy({ allowPrivateNetworks })));
  return policy;
}
