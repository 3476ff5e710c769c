import { Client } from '@hubspot/api-client';
import type { HubSpotConfig, HubSpotCredentials } from './config';
import { readableErrorBodies } from './error-body';
import { timeoutAgent } from './timeout-agent';

export type ContactsApi = Client['crm']['contacts'];

/**
 * Pass to every call. The generated API classes of @hubspot/api-client 13.5 run the configured
 * middleware — the `httpAgent` (our timeout), default headers and ours — only when a call has
 * options with middleware; without them every call goes out bare. "append" with none of our own
 * switches the configured ones on.
 */
export const CALL_OPTIONS = { middleware: [], middlewareMergeStrategy: 'append' as const };

/**
 * A fresh SDK client for one adapter, with the SDK's own retries and limiter OFF: the BullMQ queue
 * is the one retry owner, and the SDK's retry sleeps (up to 10 s per 429) would hold a worker slot.
 */
export function createContactsApi(config: HubSpotConfig, credentials: HubSpotCredentials, allowPrivateNetworks: boolean): ContactsApi {
  const client = new Client({
    accessToken: credentials.accessToken,
    basePath: config.baseUrl,
    httpAgent: timeoutAgent(config.baseUrl, config.timeoutMs, allowPrivateNetworks),
    middleware: [readableErrorBodies],
    numberOfApiCallRetries: 0,
    limiterOptions: undefined,
  });
  // The SDK keeps retry/limiter decorators in a process-wide singleton that each `new Client`
  // overwrites and that API objects copy when first touched. Touch ours now, synchronously, while
  // this client's settings (none) are the ones in force, so no other Client can change them.
  return client.crm.contacts;
}
