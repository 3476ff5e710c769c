import { waitFor } from '@crm-push/testing';
import { useSystemWithSink } from './test-support/system';

describe('custom destination headers', () => {
  const t = useSystemWithSink();

  /** POSTs a custom destination to the sink (undefined parts are left out of the JSON). */
  const create = (headers?: Record<string, string>, credentials?: Record<string, string>) =>
    t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 't.sink', type: 'custom', config: { url: `${t.sink.url}/leads`, headers }, credentials },
    });

  const refused: [string, Record<string, string>, string][] = [
    ['a value with CR/LF', { 'X-Tag': 'a\r\nX-Injected: 1' }, 'config.headers.X-Tag'],
    ['a value with a lone LF', { 'X-Tag': 'a\nb' }, 'config.headers.X-Tag'],
    ['a value with NUL', { 'X-Tag': 'a\u0000b' }, 'config.headers.X-Tag'],
    ['a value beyond Latin-1', { 'X-Tag': 'snow☃' }, 'config.headers.X-Tag'],
    ['an empty name', { '': 'v' }, 'config.headers.'],
    ['a name with a space', { 'X Tag': 'v' }, 'config.headers.X Tag'],
    ['a name with a colon', { 'X-Tag:': 'v' }, 'config.headers.X-Tag:'],
    ['Host', { Host: 'evil.example' }, 'config.headers.Host'],
    ['Content-Length', { 'content-length': '0' }, 'config.headers.content-length'],
    ['Transfer-Encoding', { 'Transfer-Encoding': 'chunked' }, 'config.headers.Transfer-Encoding'],
    ['Connection', { Connection: 'close' }, 'config.headers.Connection'],
    ['Keep-Alive', { 'Keep-Alive': 'timeout=5' }, 'config.headers.Keep-Alive'],
    ['Upgrade', { Upgrade: 'websocket' }, 'config.headers.Upgrade'],
    ['TE', { TE: 'trailers' }, 'config.headers.TE'],
    ['Trailer', { Trailer: 'X-Sum' }, 'config.headers.Trailer'],
    ['a Proxy-* header', { 'Proxy-Authorization': 'Basic eA==' }, 'config.headers.Proxy-Authorization'],
    ['the same name twice', { 'X-Tag': 'a', 'x-tag': 'b' }, 'config.headers.x-tag'],
  ];

  it.each(refused)('refuses %s at save with 400 naming the header', async (_kind, headers, path) => {
    const res = await create(headers);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path }));
    expect(res.body.error.message).toContain(path);
  });

  it('refuses an invalid header on PATCH too, leaving the destination as it was', async () => {
    const created = await create({ 'X-Tag': 'ok' });
    expect(created.status).toBe(201);
    const patched = await t.system.call('PATCH', `/v1/destinations/${created.body.id}`, {
      key: t.apiKey,
      body: { config: { url: `${t.sink.url}/leads`, headers: { 'X-Tag': 'a\r\nb', Host: 'x' } } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['config.headers.Host', 'config.headers.X-Tag']);
    const stored = await t.system.call('GET', `/v1/destinations/${created.body.id}`, { key: t.apiKey });
    expect(stored.body.config.headers).toEqual({ 'X-Tag': 'ok' });
    await t.system.call('DELETE', `/v1/destinations/${created.body.id}`, { key: t.apiKey });
  });

  it('refuses an invalid credential header name or value', async () => {
    const res = await create(undefined, { type: 'header', headerName: 'Host', headerValue: 'a\nb' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['credentials.headerName']));
    const value = await create(undefined, { type: 'header', headerName: 'X-Key', headerValue: 'a\r\nb' });
    expect(value.status).toBe(400);
    expect(value.body.error.details).toContainEqual(expect.objectContaining({ path: 'credentials.headerValue' }));
  });

  it('still delivers with valid headers, tabs, spaces and Latin-1 inside a value', async () => {
    const headers = { 'X-Tenant': 'acme corp', "X-Odd!#$%&'*+.^_`|~": 'tab\there', 'X-Latin': 'caf\u00e9' };
    const created = await create(headers);
    expect(created.status).toBe(201);
    const lead = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'ada@example.com' } } });
    expect(lead.status).toBe(202);
    await waitFor('the delivery to succeed', async () => {
      const { body } = await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey });
      return body.deliveries.every((d: { status: string }) => d.status === 'succeeded') ? body : undefined;
    });
    const call = t.sink.callsTo('leads').at(-1)!;
    expect(call.headers['x-tenant']).toBe('acme corp');
    expect(call.headers["x-odd!#$%&'*+.^_`|~"]).toBe('tab\there');
    expect(Buffer.from(call.headers['x-latin'] as string, 'latin1').toString('latin1')).toBe('caf\u00e9');
  });

  it('fails a delivery at once, without any call or retry, when a header stored before these checks is invalid', async () => {
    const created = await create({ 'X-Tag': 'ok' });
    // A row written before headers were checked at save.
    await t.system.deps.db.destination.update({
      where: { id: created.body.id },
      data: { config: { url: `${t.sink.url}/leads`, method: 'POST', timeoutMs: 1000, headers: { 'X-Tag': 'a\r\nb' } } },
    });
    const before = t.sink.callsTo('leads').length;
    const lead = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'bob@example.com' } } });
    const settled = await waitFor('the delivery to settle', async () => {
      const { body } = await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey });
      const mine = body.deliveries.find((d: { destinationId: string }) => d.destinationId === created.body.id);
      return mine?.status === 'failed' ? mine : undefined;
    });
    expect(settled).toMatchObject({ status: 'failed', nextRetryAt: null, lastError: { code: 'DESTINATION_MISCONFIGURED' } });
    expect(settled.attempts).toBe(0); // refused before any call: nothing to retry
    // The other destinations still got the lead; this one was never called with the broken header.
    expect(t.sink.callsTo('leads').filter((c) => c.headers['x-tag'] !== undefined && c.headers['x-tag'] !== 'ok')).toHaveLength(0);
    expect(t.sink.callsTo('leads').length).toBeGreaterThanOrEqual(before);
  });
});
