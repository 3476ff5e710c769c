import { createCustomSink, TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import { useSystemWithSink } from '../test-support/system';

/** The admin area over plain HTTP: auth, cookies, cross-origin refusal and the panel's JSON actions. */
describe('the admin area over HTTP', () => {
  const t = useSystemWithSink({ accountName: '<b>Bold</b> Ltd' });
  let destinationId: string;
  let cookie: string;

  beforeAll(async () => {
    destinationId = await t.addSinkDestination();
    cookie = await logIn();
  });
  beforeEach(() => t.sink.resetScripts());

  /** HTTP without following redirects, so a 303 is seen as such. */
  function request(method: string, path: string, opts: { headers?: Record<string, string | undefined>; body?: string } = {}) {
    const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    return fetch(t.system.url + path, { method, redirect: 'manual', headers, body: opts.body });
  }
  /** The JSON body of an answer (fetch types it as unknown). */
  const body = async (res: Response): Promise<any> => res.json();
  const origin = () => t.system.url;
  const json = { 'content-type': 'application/json' };

  async function logIn(): Promise<string> {
    const res = await request('POST', '/admin/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
      body: new URLSearchParams({ token: TEST_ADMIN_TOKEN, next: '/admin/failed' }).toString(),
    });
    expect(res.status).toBe(303);
    return res.headers.get('set-cookie')!.split(';')[0];
  }

  async function failedDelivery(status = 400, body: unknown = { error: 'no' }): Promise<string> {
    t.sink.script('leads', [{ status, body }]);
    const lead = (await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'x@example.com' } } })).body;
    const id = lead.deliveries[0].id as string;
    await waitFor(`delivery ${id} to fail`, async () => (await t.system.call('GET', `/v1/deliveries/${id}`, { key: t.apiKey })).body.status === 'failed');
    return id;
  }

  describe('authentication', () => {
    it('sends a browser without a session to the login page, keeping where it was going', async () => {
      const res = await request('GET', '/admin/failed?errorCode=HTTP_400', { headers: { accept: 'text/html' } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/admin/login?next=${encodeURIComponent('/admin/failed?errorCode=HTTP_400')}`);
    });

    it('answers a script without credentials, or with a wrong token or an account API key, with 401', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Bearer ${t.apiKey}` }]) {
        const res = await request('GET', '/admin/queues/api/queues', { headers });
        expect(res.status).toBe(401);
        expect((await body(res)).error.code).toBe('UNAUTHORIZED');
      }
    });

    it('lets the admin token in as a bearer token, to the panel and to Bull Board', async () => {
      const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      const panel = await request('GET', '/admin', { headers: auth });
      expect(panel.status).toBe(200);
      expect(panel.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(panel.headers.get('x-frame-options')).toBe('DENY');
      const board = await request('GET', '/admin/queues/api/queues', { headers: auth });
      expect(board.status).toBe(200);
      expect((await body(board)).queues.map((q: { name: string }) => q.name).sort()).toEqual([
        'crm-deliveries',
        'flow-actions',
        'maintenance',
        'source-fetches',
      ]);
    });

    it('trades the token for an HttpOnly, SameSite=Strict cookie that does not hold the token', async () => {
      const res = await request('POST', '/admin/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
        body: new URLSearchParams({ token: TEST_ADMIN_TOKEN, next: '/admin/destinations' }).toString(),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin/destinations');
      const setCookie = res.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^crm_push_admin=[^;]+; Max-Age=43200; Path=\/admin; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
      expect(setCookie).not.toContain(TEST_ADMIN_TOKEN);
      const page = await request('GET', '/admin/queues', { headers: { cookie: setCookie.split(';')[0] } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>');
    });

    it('refuses a wrong token at the login form and sets no cookie', async () => {
      const res = await request('POST', '/admin/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
        body: 'token=guess-guess-guess',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain('That is not the admin token.');
    });

    it('never redirects outside the admin area after login', async () => {
      const res = await request('POST', '/admin/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
        body: new URLSearchParams({ token: TEST_ADMIN_TOKEN, next: '//evil.example/admin' }).toString(),
      });
      expect(res.headers.get('location')).toBe('/admin');
    });

    it('refuses a tampered cookie', async () => {
      const res = await request('GET', '/admin', { headers: { cookie: cookie.replace(/^crm_push_admin=\d/, 'crm_push_admin=9'), accept: 'application/json' } });
      expect(res.status).toBe(401);
    });

    it('clears the cookie at logout', async () => {
      const res = await request('POST', '/admin/logout', { headers: { cookie, origin: origin() } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin/login');
      expect(res.headers.get('set-cookie')).toMatch(/^crm_push_admin=; Path=\/admin; Expires=Thu, 01 Jan 1970/);
    });
  });

  describe('cross-origin requests', () => {
    it('refuses a state-changing request made with the cookie from another origin, or without an Origin', async () => {
      for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, {}]) {
        const res = await request('POST', '/admin/api/deliveries/retry-matching', { headers: { ...json, ...headers, cookie }, body: '{}' });
        expect(res.status).toBe(403);
        expect((await body(res)).error.code).toBe('CROSS_ORIGIN_REFUSED');
      }
      const board = await request('PUT', '/admin/queues/api/queues/crm-deliveries/pause', { headers: { cookie, origin: 'https://evil.example' } });
      expect(board.status).toBe(403);
      expect(await t.system.deps.queues.byKey.crm.isPaused()).toBe(false);
    });

    it('accepts the same request from the panel itself (same Origin, or Sec-Fetch-Site: same-origin)', async () => {
      for (const headers of [{ origin: origin() }, { 'sec-fetch-site': 'same-origin' }]) {
        const res = await request('POST', '/admin/api/deliveries/retry-matching', {
          headers: { ...json, ...headers, cookie },
          body: JSON.stringify({ errorCode: 'NO_SUCH_CODE' }),
        });
        expect(res.status).toBe(202);
      }
    });

    it('refuses a login form posted from another origin', async () => {
      const res = await request('POST', '/admin/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ token: TEST_ADMIN_TOKEN }).toString(),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    });

    it('does not ask scripts using the bearer token for an Origin', async () => {
      const res = await request('POST', '/admin/api/deliveries/retry-matching', {
        headers: { ...json, authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        body: JSON.stringify({ errorCode: 'NO_SUCH_CODE' }),
      });
      expect(res.status).toBe(202);
    });
  });

  describe('panel actions', () => {
    const admin = () => ({ ...json, authorization: `Bearer ${TEST_ADMIN_TOKEN}` });

    it('retries one failed delivery, which then succeeds', async () => {
      const id = await failedDelivery();
      const res = await request('POST', `/admin/api/deliveries/${id}/retry`, { headers: admin(), body: '{}' });
      expect(res.status).toBe(202);
      expect((await body(res)).deliveries).toEqual([{ id, status: 'queued', destinationId }]);
      await waitFor('the retried delivery to succeed', async () => {
        const d = await body(await request('GET', `/admin/api/deliveries/${id}`, { headers: admin() }));
        return d.status === 'succeeded' ? d : undefined;
      });
    });

    it('leaves a succeeded delivery alone', async () => {
      const lead = (await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'ok@example.com' } } })).body;
      const id = lead.deliveries[0].id;
      await waitFor('success', async () => (await t.system.call('GET', `/v1/deliveries/${id}`, { key: t.apiKey })).body.status === 'succeeded');
      const res = await request('POST', `/admin/api/deliveries/${id}/retry`, { headers: admin(), body: '{}' });
      expect(res.status).toBe(202);
      expect((await body(res)).deliveries).toEqual([]);
    });

    it('answers 404 for an unknown delivery or destination and 400 for a malformed id', async () => {
      const unknown = '01890000-0000-7000-8000-000000000000';
      expect((await request('POST', `/admin/api/deliveries/${unknown}/retry`, { headers: admin(), body: '{}' })).status).toBe(404);
      expect((await request('GET', `/admin/api/deliveries/${unknown}`, { headers: admin() })).status).toBe(404);
      expect((await request('POST', `/admin/api/destinations/${unknown}/test`, { headers: admin(), body: '{}' })).status).toBe(404);
      expect((await request('POST', '/admin/api/deliveries/not-an-id/retry', { headers: admin(), body: '{}' })).status).toBe(400);
    });

    it('retries all failed deliveries matching an error code, and only those', async () => {
      const matching = await failedDelivery(422);
      const other = await failedDelivery(409);
      const res = await request('POST', '/admin/api/deliveries/retry-matching', {
        headers: admin(),
        body: JSON.stringify({ errorCode: 'HTTP_422', destinationId }),
      });
      expect(res.status).toBe(202);
      expect(await body(res)).toEqual({ requeued: 1 });
      await waitFor(
        'the match to succeed',
        async () => (await t.system.call('GET', `/v1/deliveries/${matching}`, { key: t.apiKey })).body.status === 'succeeded',
      );
      expect((await t.system.call('GET', `/v1/deliveries/${other}`, { key: t.apiKey })).body.status).toBe('failed');
    });

    it('rejects unknown or malformed filters with 400 naming the field', async () => {
      for (const [filter, field] of [
        [{ status: 'failed' }, 'status'],
        [{ destinationId: 'nope' }, 'destinationId'],
      ] as const) {
        const res = await request('POST', '/admin/api/deliveries/retry-matching', { headers: admin(), body: JSON.stringify(filter) });
        expect(res.status).toBe(400);
        const { error } = await body(res);
        expect(error.code).toBe('VALIDATION_ERROR');
        expect(error.message).toContain(field);
      }
    });

    it('tests a destination connection: ok for the t.sink, not ok with a reason for a closed port', async () => {
      const ok = await body(await request('POST', `/admin/api/destinations/${destinationId}/test`, { headers: admin(), body: '{}' }));
      expect(ok).toMatchObject({ ok: true });
      const closed = createCustomSink();
      const url = await closed.start();
      await closed.stop();
      const gone = (
        await t.system.call('POST', '/v1/destinations', {
          key: t.apiKey,
          body: { name: 'gone', type: 'custom', routing: 'flows', config: { url: `${url}/leads` } },
        })
      ).body.id;
      const res = await body(await request('POST', `/admin/api/destinations/${gone}/test`, { headers: admin(), body: '{}' }));
      expect(res).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    });
  });

  describe('pages', () => {
    it('escapes what destinations and users wrote into the pages', async () => {
      await failedDelivery(400, { error: '<script>alert(1)</script>' });
      const page = await (await request('GET', '/admin/failed', { headers: { cookie } })).text();
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).not.toContain('<script>alert(1)');
      expect(page).toContain('&lt;b&gt;Bold&lt;/b&gt; Ltd');
      expect(page).not.toContain('<b>Bold</b>');
    });

    it('shows a running push-pending with its progress bar on the leads page', async () => {
      const accountId = (await t.system.deps.db.destination.findUniqueOrThrow({ where: { id: destinationId } })).accountId;
      const op = await t.system.deps.db.operation.create({
        data: { accountId, type: 'push-pending', leads: 2000, deliveries: 2000, progressLeads: 500, progressDeliveries: 480, cursor: 'x' },
      });
      try {
        const page = await (await request('GET', '/admin', { headers: { cookie } })).text();
        const row = new RegExp(`<tr data-operation-id="${op.id}">[\\s\\S]*?</tr>`).exec(page)?.[0];
        expect(row).toContain('<progress value="500" max="2000"></progress>');
        expect(row).toContain('500 / 2000 leads · 480 deliveries queued');
        expect(row).toContain('data-status="running"');
      } finally {
        await t.system.deps.db.operation.delete({ where: { id: op.id } });
      }
    });

    it('pages through leads, newest first', async () => {
      for (const email of ['p1@example.com', 'p2@example.com', 'p3@example.com'])
        await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email } } });
      const first = await (await request('GET', '/admin?limit=2', { headers: { cookie } })).text();
      expect(first.indexOf('p3@example.com')).toBeLessThan(first.indexOf('p2@example.com'));
      expect(first).not.toContain('p1@example.com');
      const next = /href="([^"]+)" data-role="next-page"/.exec(first)![1].replace(/&amp;/g, '&');
      const second = await (await request('GET', next, { headers: { cookie } })).text();
      expect(second).toContain('p1@example.com');
      expect(second).not.toContain('p3@example.com');
    });

    it('answers 400 for a malformed cursor or filter', async () => {
      expect((await request('GET', '/admin?cursor=nope', { headers: { cookie } })).status).toBe(400);
      expect((await request('GET', '/admin/failed?destinationId=nope', { headers: { cookie } })).status).toBe(400);
    });
  });
});
