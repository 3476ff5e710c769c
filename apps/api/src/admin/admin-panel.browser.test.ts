/// <reference lib="dom" />
import { TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test-support/browser';
import { useSystemWithSink } from '../test-support/system';

describe('the admin panel in a real browser', () => {
  const t = useSystemWithSink({ accountName: 'Browser & Co' });
  let destinationId: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    destinationId = await t.system.addDestination(t.apiKey, {
      name: 'Sink <test>',
      type: 'custom',
      config: { url: `${t.sink.url}/leads`, timeoutMs: 1000 },
    });
    browser = await launchBrowser();
    page = browser.page;
    page.on('dialog', (dialog) => void dialog.accept());
  }, 60000);

  afterAll(async () => {
    await browser?.close();
  });

  async function failedLead(email: string): Promise<string> {
    const accepted = (await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email } } })).body;
    const deliveryId = accepted.deliveries[0].id as string;
    await waitFor(
      `delivery ${deliveryId} to fail`,
      async () => (await t.system.call('GET', `/v1/deliveries/${deliveryId}`, { key: t.apiKey })).body.status === 'failed',
    );
    return deliveryId;
  }

  function statusOf(deliveryId: string) {
    return page.locator(`tr[data-delivery-id="${deliveryId}"] [data-role=status]`);
  }

  async function waitForStatus(deliveryId: string, status: string) {
    await page.waitForFunction(
      ([id, want]) => document.querySelector(`tr[data-delivery-id="${id}"] [data-role=status]`)?.textContent === want,
      [deliveryId, status] as const,
      { timeout: 20000, polling: 100 },
    );
  }

  it('sends a browser without a session to the login page, and refuses a wrong token', async () => {
    await page.goto(`${t.system.url}/admin/failed`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name=token]', 'not-the-token-at-all');
    await page.click('button[type=submit]');
    expect(await page.textContent('[data-role=login-error]')).toContain('not the admin token');
  });

  it('retries a failed delivery with the Retry button and shows it succeed', async () => {
    t.sink.script('leads', [{ status: 400, body: { error: 'rejected once' } }]);
    const deliveryId = await failedLead('retry-me@example.com');

    await page.goto(`${t.system.url}/admin/failed`);
    await page.fill('input[name=token]', TEST_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${t.system.url}/admin/failed`), page.click('button[type=submit]')]);

    const row = page.locator(`tr[data-delivery-id="${deliveryId}"]`);
    expect(await statusOf(deliveryId).textContent()).toBe('failed');
    expect(await row.textContent()).toContain('HTTP_400');
    await row.locator('summary').click(); // the attempt log
    expect(await row.locator('table.attempts tbody tr').count()).toBe(1);

    await row.locator('button[data-action=retry]').click();
    await waitForStatus(deliveryId, 'succeeded');

    const delivery = (await t.system.call('GET', `/v1/deliveries/${deliveryId}`, { key: t.apiKey })).body;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(t.sink.callsTo('leads').at(-1)!.headers['idempotency-key']).toBe(deliveryId);
  });

  it('filters by error code and re-queues every match with "Retry all matching"', async () => {
    t.sink.script('leads', [{ status: 422 }, { status: 422 }, { status: 409 }]);
    const first = await failedLead('a@example.com');
    const second = await failedLead('b@example.com');
    const other = await failedLead('c@example.com'); // HTTP_409: not matched

    await page.goto(`${t.system.url}/admin/failed`);
    await page.selectOption('select[name=errorCode]', 'HTTP_422');
    await page.selectOption('select[name=destinationId]', destinationId);
    await Promise.all([page.waitForURL(/errorCode=HTTP_422/), page.click('form.filters button[type=submit]')]);
    expect(await page.locator('tr[data-delivery-id]').count()).toBe(2);
    expect(await page.locator(`tr[data-delivery-id="${other}"]`).count()).toBe(0);

    await page.click('button[data-action=retry-matching]');
    await waitForStatus(first, 'succeeded');
    await waitForStatus(second, 'succeeded');
    expect(await page.textContent('[data-role=message]')).toContain('2 deliveries re-queued');
    expect((await t.system.call('GET', `/v1/deliveries/${other}`, { key: t.apiKey })).body.status).toBe('failed');
  });

  it('lists leads with their per-destination status, escaping what users typed', async () => {
    const lead = (await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: '<img src=x onerror="window.pwned=1">@example.com' } } }))
      .body;
    await waitFor('the lead to sync', async () => (await t.system.call('GET', `/v1/leads/${lead.id}`, { key: t.apiKey })).body.status === 'synced');
    await page.goto(`${t.system.url}/admin`);
    const firstRow = page.locator('table.leads tbody tr').first();
    expect(await firstRow.textContent()).toContain('<img src=x onerror="window.pwned=1">@example.com');
    expect(await firstRow.textContent()).toContain('Browser & Co');
    expect(await firstRow.textContent()).toContain('Sink <test> (custom)');
    expect(await page.locator('table.leads img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  });

  it('tests a destination connection and shows its failure rate', async () => {
    await page.goto(`${t.system.url}/admin/destinations`);
    const row = page.locator(`tr[data-destination-id="${destinationId}"]`);
    // Of the 5 deliveries so far only the HTTP_409 one is failed now; the others succeeded (after a retry or at once).
    expect(await row.locator('[data-role=failure-rate]').textContent()).toBe('20%');
    expect(await row.textContent()).toContain('(1 of 5 failed)');
    await row.locator('button[data-action=test-connection]').click();
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-destination-id="${id}"] [data-role=test-result]`)?.getAttribute('data-ok') !== null,
      destinationId,
    );
    expect(await row.locator('[data-role=test-result]').getAttribute('data-ok')).toBe('true');
    expect(await row.locator('[data-role=test-result]').textContent()).toMatch(/^ok \(\d+ ms/);
  });

  it('shows a paused destination with its reason and until when, and resumes it with the Resume button', async () => {
    const paused = await t.system.call('POST', `/v1/destinations/${destinationId}/pause`, { key: t.apiKey });
    expect(paused.body.health).toMatchObject({ state: 'paused', reason: 'MANUAL' });
    // A self-paused destination shows when its probe is due.
    const probeAt = new Date(Date.now() + 30_000);
    await t.system.deps.db.destination.update({ where: { id: destinationId }, data: { healthReason: 'FAILING', resumeAt: probeAt } });
    await page.goto(`${t.system.url}/admin/destinations`);
    const health = page.locator(`tr[data-destination-id="${destinationId}"] [data-role=health]`);
    expect(await health.locator('[data-role=health-state]').textContent()).toBe('paused');
    expect(await health.locator('[data-role=health-reason]').textContent()).toBe('FAILING');
    expect(await health.locator('[data-role=resume-at]').getAttribute('datetime')).toBe(probeAt.toISOString());
    await health.locator('button[data-action=resume-destination]').click();
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-destination-id="${id}"] [data-role=health-state]`)?.textContent === 'active',
      destinationId,
    );
    expect((await t.system.call('GET', `/v1/destinations/${destinationId}`, { key: t.apiKey })).body.health).toMatchObject({ state: 'active', reason: null });
    const events = (await t.system.call('GET', `/v1/destinations/${destinationId}/events`, { key: t.apiKey })).body.items;
    expect(events[0]).toMatchObject({ state: 'active', message: 'resumed from the admin panel' });
    await page.reload();
    expect(await health.locator('button[data-action=resume-destination]').count()).toBe(0);
  });

  it('opens Bull Board with every queue of the t.system', async () => {
    await page.goto(`${t.system.url}/admin/queues`);
    for (const name of ['crm-deliveries', 'flow-actions', 'maintenance']) {
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15000 });
    }
  });

  it('logs out, after which the panel asks for the token again', async () => {
    await page.goto(`${t.system.url}/admin`);
    await Promise.all([page.waitForURL(/\/admin\/login$/), page.click('header form button[type=submit]')]);
    await page.goto(`${t.system.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });
});
