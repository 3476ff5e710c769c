import net from 'node:net';
import { createNetworkPolicy } from '@crm-push/outbound';
import { createFakeSalesforce, type FakeSalesforce, type FakeSalesforceOptions } from '../../../../testing/src/fakes/salesforce';
import type { AdapterHooks, CrmAdapter } from '../../contract';
import { salesforceModule } from '..';
import type { SalesforceCredentials } from '../config';

const allowPrivate = createNetworkPolicy({ allowPrivateNetworks: true });

/** Credentials that let the adapter refresh against a default fake org. */
export const REFRESHABLE = { refreshToken: 'sf-refresh-token', clientId: 'sf-client-id', clientSecret: 'sf-client-secret' };

export async function startFakeOrg(opts?: FakeSalesforceOptions): Promise<FakeSalesforce> {
  const fake = createFakeSalesforce(opts);
  await fake.start();
  return fake;
}

/** An adapter built the way the worker builds one: schemas parse the stored config and credentials. */
export function adapterFor(
  url: string,
  opts: { config?: Record<string, unknown>; credentials?: Record<string, unknown>; hooks?: AdapterHooks<SalesforceCredentials> } = {},
): CrmAdapter {
  const config = salesforceModule.configSchema.parse({ instanceUrl: url, ...opts.config });
  const credentials = salesforceModule.credentialsSchema.parse({ accessToken: 'sf-access-token', ...opts.credentials });
  return salesforceModule.createAdapter({ config, credentials, hooks: opts.hooks, network: allowPrivate });
}

/** A URL on which nothing listens (a port that was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Runs `call`, which must reject, and returns what it rejected with. */
export async function rejection(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

export const ctx = { deliveryId: 'dlv_1' };

export const LEAD = { FirstName: 'Ada', LastName: 'Lovelace', Company: 'Analytical Engines', Email: 'ada@example.com' };
