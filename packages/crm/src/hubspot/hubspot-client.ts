import { httpCall, type NetworkPolicy } from '@crm-push/outbound';
import {
  BasicApi,
  BatchApi,
  createConfiguration,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
  type RequestContext,
} from '@hubspot/api-client/lib/codegen/crm/contacts';
import type { HubSpotConfig, HubSpotCredentials } from './config';

export interface ContactsApi {
  basicApi: BasicApi;
  batchApi: BatchApi;
}

/**
 * The SDK's contacts API classes for one adapter, sending through the network policy instead of
 * the SDK's node-fetch: addresses vetted at connect time, no redirect ever followed (so the
 * bearer token goes nowhere but `baseUrl`), bodies read up to their cap, a timeout per call.
 * Built from the generated classes directly, without `Client`, so the SDK's retries and limiter
 * (process-wide decorators) never apply: the BullMQ queue is the one retry owner.
 */
export function createContactsApi(config: HubSpotConfig, credentials: HubSpotCredentials, network: NetworkPolicy): ContactsApi {
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration<Record<string, string>>(config.baseUrl, {}),
    httpApi: wrapHttpLibrary({ send: (request) => send(network, config.timeoutMs, request) }),
    authMethods: { oauth2: { accessToken: credentials.accessToken } },
  });
  return { basicApi: new BasicApi(configuration), batchApi: new BatchApi(configuration) };
}

async function send(network: NetworkPolicy, timeoutMs: number, request: RequestContext): Promise<ResponseContext> {
  const body = request.getBody();
  if (body !== undefined && typeof body !== 'string') throw new Error('only JSON request bodies are sent to HubSpot');
  const answer = await httpCall(network, request.getUrl(), {
    method: request.getHttpMethod(),
    headers: { ...request.getHeaders(), 'user-agent': 'crm-push' },
    body,
    timeoutMs,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers[name] = String(value);
  // The SDK throws a plain Error, without the status, when an error body is not the JSON its
  // content type claims (an empty 500, a proxy's HTML page); relabelled as text it becomes an
  // ApiException that carries its status.
  if (answer.statusCode >= 400 && !isJson(answer.text)) headers['content-type'] = 'text/plain';
  const text = answer.text;
  return new ResponseContext(answer.statusCode, headers, { text: async () => text, binary: async () => Buffer.from(text) });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
