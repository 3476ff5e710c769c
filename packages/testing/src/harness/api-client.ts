import { jsonCall, type JsonAnswer, type JsonCallOptions } from '../json-call';
import { waitFor } from '../wait-for';

/** The calls tests make to a CRM Push api, in-process or spawned alike. */
export interface ApiClient {
  url: string;
  /** JSON over HTTP to the api (or to `baseUrl`); `key` is an account's API key or the admin token. */
  call(method: string, path: string, opts?: JsonCallOptions & { baseUrl?: string }): Promise<JsonAnswer>;
  /** Creates an account (with the admin token) and returns its id and API key. */
  createAccount(name?: string): Promise<{ id: string; apiKey: string }>;
  /**
   * Creates a destination of the account and returns its id: a custom one named `sink` delivering
   * to `destination` when that is a URL, otherwise the destination body itself.
   */
  addDestination(key: string, destination: string | Record<string, unknown>): Promise<string>;
  /** POSTs a lead (expecting 202) and returns its id. */
  postLead(key: string, data: Record<string, unknown>): Promise<string>;
  /** The lead's view once every delivery and flow action of it is `succeeded` or `failed`. */
  settled(leadId: string, key: string): Promise<any>;
  /** The operation's view once it is no longer `running`. */
  finishedOperation(operationId: string, key: string, timeoutMs: number): Promise<any>;
}

export function apiClient(url: string, adminToken: string): ApiClient {
  const client: ApiClient = {
    url,
    call: (method, path, { baseUrl = url, ...opts } = {}) => jsonCall(baseUrl, method, path, opts),
    async createAccount(name = 'Acme') {
      const res = await client.call('POST', '/v1/accounts', { key: adminToken, body: { name } });
      if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id, apiKey: res.body.apiKey };
    },
    async addDestination(key, destination) {
      const body = typeof destination === 'string' ? { name: 'sink', type: 'custom', config: { url: destination } } : destination;
      const res = await client.call('POST', '/v1/destinations', { key, body });
      if (res.status !== 201) throw new Error(`destination creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    async postLead(key, data) {
      const res = await client.call('POST', '/v1/leads', { key, body: { data } });
      if (res.status !== 202) throw new Error(`lead refused: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    settled: (leadId, key) =>
      waitFor(`lead ${leadId} to settle`, async () => {
        const { body } = await client.call('GET', `/v1/leads/${leadId}`, { key });
        const all: { status: string }[] = [...body.deliveries, ...(body.actions ?? [])];
        return all.every((d) => d.status === 'succeeded' || d.status === 'failed') ? body : undefined;
      }),
    finishedOperation: (operationId, key, timeoutMs) =>
      waitFor(
        `operation ${operationId} to finish`,
        async () => {
          const { body } = await client.call('GET', `/v1/operations/${operationId}`, { key });
          return body.status === 'running' ? undefined : body;
        },
        { timeoutMs, intervalMs: 200 },
      ),
  };
  return client;
}
