import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { crmErrorIn } from './crm-error';
import { customModule } from './custom';
import { hubspotModule } from './hubspot';
import { outboundDispatcher } from './outbound-http';

describe('outboundDispatcher', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses, at connect time, a name that resolves to a loopback address', async () => {
    const err = await request(`http://localhost:${port}/`, { dispatcher: outboundDispatcher(false) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(crmErrorIn(err)).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(crmErrorIn(err)!.message).toContain('localhost');
  });

  it('connects when private networks are allowed', async () => {
    const res = await request(`http://localhost:${port}/`, { dispatcher: outboundDispatcher(true) });
    expect(await res.body.text()).toBe('ok');
  });

  it('makes the custom adapter fail as DESTINATION_NOT_ALLOWED, not as a retryable network error', async () => {
    const adapter = customModule.createAdapter({
      config: customModule.configSchema.parse({ url: `http://localhost:${port}/leads` }),
      credentials: { type: 'none' },
      allowPrivateNetworks: false,
    });
    await expect(adapter.push({ email: 'a@example.com' }, { deliveryId: 'd1' })).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
  });

  it('guards the HubSpot SDK the same way', async () => {
    const adapter = hubspotModule.createAdapter({
      config: hubspotModule.configSchema.parse({ baseUrl: `http://localhost:${port}` }),
      credentials: { accessToken: 'token' },
      allowPrivateNetworks: false,
    });
    const err = await adapter.push({ email: 'a@example.com' }, { deliveryId: 'd1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect((err as Error).message).toMatch(/^destination host "localhost" is not allowed/);
  });
});
