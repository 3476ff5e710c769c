/// <reference lib="dom" />
import { createCustomSink, waitFor, type CustomSink } from '@crm-push/testing';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test-support/browser';
import { startSystem, TEST_ADMIN_TOKEN, type TestSystem } from '../test-support/system';

describe('the admin panel in a real browser', () => {
  let system: TestSystem;
  let sink: CustomSink;
  let apiKey: string;
  let destinationId: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    system = await startSystem();
    sink = createCustomSink();
    await sink.start();
    ({ apiKey } = await system.createAccount('Browser & Co'));
    const res = await system.call('POST', '/v1/destinations', {
      key: apiKey,
      body: { name: 'Sink <test>', type: 'custom', config: { url: `${sink.url}/leads`, timeoutMs: 1000 } },
    });
    destinationId = res.body.id;
    browser = await launchBrowser();
    page = browser.page;
    page.on('dialog', (dialog) => void dialog.accept());
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await sink?.stop();
    await system?.stop();
  });

  async function failedLead(email: string): Promise<string> {
    const accepted = (await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email } } })).body;
    const deliveryId = accepted.deliveries[0].id as string;
    await waitFor(
      `delivery ${deliveryId} to fail`,
      async () => (await system.call('GET', `/v1/deliveries/${deliveryId}`, { key: apiKey })).body.status === 'failed',
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
    await page.goto(`${system.url}/admin/failed`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name=token]', 'not-the-token-at-all');
    await page.click('button[type=submit]');
    expect(await page.textContent('[data-role=login-error]')).toContain('not the admin token');
  });

  it('retries a failed delivery with the Retry button and shows it succeed', async () => {
    sink.script('leads', [{ status: 400, body: { error: 'rejected once' } }]);
    const deliveryId = await failedLead('retry-me@example.com');

    await page.goto(`${system.url}/admin/failed`);
    await page.fill('input[name=token]', TEST_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${system.url}/admin/failed`), page.click('button[type=submit]')]);

    const row = page.locator(`tr[data-delivery-id="${deliveryId}"]`);
    expect(await statusOf(deliveryId).textContent()).toBe('failed');
    expect(await row.textContent()).toContain('HTTP_400');
    await row.locator('summary').click(); // the attempt log
    expect(await row.locator('table.attempts tbody tr').count()).toBe(1);

    await row.locator('button[data-action=retry]').click();
    await waitForStatus(deliveryId, 'succeeded');

    const delivery = (await system.call('GET', `/v1/deliveries/${deliveryId}`, { key: apiKey })).body;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(sink.callsTo('leads').at(-1)!.headers['idempotency-key']).toBe(deliveryId);
  });

  it('filters by error code and re-queues every match with "Retry all matching"', async () => {
    sink.script('leads', [{ status: 422 }, { status: 422 }, { status: 409 }]);
    const first = await failedLead('a@example.com');
    const second = await failedLead('b@example.com');
    const other = await failedLead('c@example.com'); // HTTP_409: not matched

    await page.goto(`${system.url}/admin/failed`);
    await page.selectOption('select[name=errorCode]', 'HTTP_422');
    await page.selectOption('select[name=destinationId]', destinationId);
    await Promise.all([page.waitForURL(/errorCode=HTTP_422/), page.click('form.filters button[type=submit]')]);
    expect(await page.locator('tr[data-delivery-id]').count()).toBe(2);
    expect(await page.locator(`tr[data-delivery-id="${other}"]`).count()).toBe(0);

    await page.click('button[data-action=retry-matching]');
    await waitForStatus(first, 'succeeded');
    await waitForStatus(second, 'succeeded');
    expect(await page.textContent('[data-role=message]')).toContain('2 deliveries re-queued');
    expect((await system.call('GET', `/v1/deliveries/${other}`, { key: apiKey })).body.status).toBe('failed');
  });

  it('lists leads with their per-destination status, escaping what users typed', async () => {
    const lead = (await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: '<img src=x onerror="window.pwned=1">@example.com' } } })).body;
    await waitFor('the lead to sync', async () => (await system.call('GET', `/v1/leads/${lead.id}`, { key: apiKey })).body.status === 'synced');
    await page.goto(`${system.url}/admin`);
    const firstRow = page.locator('table.leads tbody tr').first();
    expect(await firstRow.textContent()).toContain('<img src=x onerror="window.pwned=1">@example.com');
    expect(await firstRow.textContent()).toContain('Browser & Co');
    expect(await firstRow.textContent()).toContain('Sink <test> (custom)');
    expect(await page.locator('table.leads img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  });

  it('tests a destination connection and shows its failure rate', async () => {
    await page.goto(`${system.url}/admin/destinations`);
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
    const paused = await system.call('POST', `/v1/destinations/${destinationId}/pause`, { key: apiKey });
    expect(paused.body.health).toMatchObject({ state: 'paused', reason: 'MANUAL' });
    // A self-paused destination shows when its probe is due.
    const probeAt = new Date(Date.now() + 30_000);
    await system.deps.db.destination.update({ where: { id: destinationId }, data: { healthReason: 'FAILING', resumeAt: probeAt } });
    await page.goto(`${system.url}/admin/destinations`);
    const health = page.locator(`tr[data-destination-id="${destinationId}"] [data-role=health]`);
    expect(await health.locator('[data-role=health-state]').textContent()).toBe('paused');
    expect(await health.locator('[data-role=health-reason]').textContent()).toBe('FAILING');
    expect(await health.locator('[data-role=resume-at]').getAttribute('datetime')).toBe(probeAt.toISOString());
    await health.locator('button[data-action=resume-destination]').click();
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-destination-id="${id}"] [data-role=health-state]`)?.textContent === 'active',
      destinationId,
    );
    expect((await system.call('GET', `/v1/destinations/${destinationId}`, { key: apiKey })).body.health).toMatchObject({ state: 'active', reason: null });
    const events = (await system.call('GET', `/v1/destinations/${destinationId}/events`, { key: apiKey })).body.items;
    expect(events[0]).toMatchObject({ state: 'active', message: 'resumed from the admin panel' });
    await page.reload();
    expect(await health.locator('button[data-action=resume-destination]').count()).toBe(0);
  });

  it('opens Bull Board with every queue of the system', async () => {
    await page.goto(`${system.url}/admin/queues`);
    for (const name of ['crm-deliveries', 'flow-actions', 'maintenance']) {
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15000 });
    }
  });

  it('logs out, after which the panel asks for the token again', async () => {
    await page.goto(`${system.url}/admin`);
    await Promise.all([page.waitForURL(/\/admin\/login$/), page.click('header form button[type=submit]')]);
    await page.goto(`${system.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });
});
