import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { deliveryErrorIn } from './delivery-error';
import { httpCall } from './http-call';
import { createNetworkPolicy } from './network-policy';

const guarded = createNetworkPolicy({ allowPrivateNetworks: false });
const open = createNetworkPolicy({ allowPrivateNetworks: true });

describe('the network policy dispatcher', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refusal = (url: string) =>
    request(url, { dispatcher: guarded.dispatcher }).then(
      () => undefined,
      (e: unknown) => deliveryErrorIn(e),
    );

  it('refuses, at connect time, a name that resolves to a loopback address', async () => {
    const err = await refusal(`http://localhost:${port}/`);
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err!.message).toContain('localhost');
  });

  // IP literals never reach a resolver: the connector itself vets them.
  it.each([
    ['http://127.0.0.1:PORT/', 'a loopback address'],
    ['http://[::ffff:127.0.0.1]:PORT/', 'a loopback address'],
    ['http://[::127.0.0.1]:PORT/', 'an IPv4-compatible address'],
    ['http://169.254.169.254/', 'a link-local address'],
  ])('refuses the IP literal %s at connect time', async (url, why) => {
    const err = await refusal(url.replace('PORT', String(port)));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err!.message).toContain(why);
  });

  it('connects when private networks are allowed', async () => {
    const res = await request(`http://localhost:${port}/`, { dispatcher: open.dispatcher });
    expect(await res.body.text()).toBe('ok');
  });
});

describe('httpCall', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') return res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/big-ok') {
        // 3 MB of success body, 64 KB at a time.
        const chunk = 'x'.repeat(64 * 1024);
        res.writeHead(200);
        for (let i = 0; i < 48; i++) res.write(chunk);
        return res.end();
      }
      if (req.url === '/big-error') return res.writeHead(500).end('e'.repeat(1024 * 1024));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('never follows a redirect: a 3xx fails for good, naming the status and the Location host', async () => {
    hits.length = 0;
    const err = await httpCall(open, `${base}/redirect`, { method: 'POST', headers: {}, body: '{}', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REDIRECT_NOT_FOLLOWED', retryable: false, statusCode: 307 });
    expect((err as Error).message).toBe('destination answered 307 redirecting to "169.254.169.254"; redirects are not followed (configure the final URL)');
    expect(hits).toEqual(['/redirect']);
  });

  it('reads a success body up to 1 MB and discards the rest', async () => {
    const res = await httpCall(open, `${base}/big-ok`, { method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(res).toMatchObject({ statusCode: 200, truncated: true });
    expect(res.text).toHaveLength(1024 * 1024);
  });

  it('reads an error body up to 64 KB', async () => {
    const res = await httpCall(open, `${base}/big-error`, { method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(res).toMatchObject({ statusCode: 500, truncated: true });
    expect(res.text).toHaveLength(64 * 1024);
  });
});
