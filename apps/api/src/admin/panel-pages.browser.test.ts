/// <reference lib="dom" />
import { findBrokenDeliveries, TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import { LIVE_JOB_STATES } from '@crm-push/queue';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test-support/browser';
import { useSystemWithSink } from '../test-support/system';
import { STUCK_AFTER_MS } from './stuck-deliveries';

/** The lead detail page, stuck deliveries, the destinations' 24 h column, narrow windows and the panel's static files. */
describe('the admin panel pages in a real browser', () => {
  const ctx = useSystemWithSink();
  let destinationId: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    destinationId = await ctx.addSinkDestination({ timeoutMs: 1000 });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(`${ctx.system.url}/admin`);
    await page.fill('input[name=token]', TEST_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${ctx.system.url}/admin`), page.click('button[type=submit]')]);
  }, 60000);

  afterAll(async () => {
    await browser?.close();
  });

  const delivery = (id: string) => ctx.system.deps.db.delivery.findUniqueOrThrow({ where: { id } });

  async function postLead(apiKey: string, email: string): Promise<{ leadId: string; deliveryId: string }> {
    const accepted = (await ctx.system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email, company: 'Detail & Co' } } })).body;
    return { leadId: accepted.id, deliveryId: accepted.deliveries[0].id };
  }

  async function settled(deliveryId: string, status: 'succeeded' | 'failed') {
    await waitFor(`delivery ${deliveryId} to be ${status}`, async () => (await delivery(deliveryId)).status === status);
  }

  async function waitForRowStatus(deliveryId: string, status: string) {
    await page.waitForFunction(
      ([id, want]) => document.querySelector(`tr[data-delivery-id="${id}"] [data-role=status]`)?.textContent === want,
      [deliveryId, status] as const,
      { timeout: 20000, polling: 100 },
    );
  }

  /** Sets a delivery's row the way a lost job leaves it: still `queued`, last changed `ageMs` ago. */
  async function queuedSince(deliveryId: string, ageMs: number) {
    await ctx.system.deps.db
      .$executeRaw`UPDATE deliveries SET status = 'queued', updated_at = now() - make_interval(secs => ${ageMs / 1000}) WHERE id = ${deliveryId}`;
  }

  it('opens a failed lead from the Failed page and the leads list, shows its deliveries and attempt log, and retries one', async () => {
    ctx.sink.script('leads', [{ status: 400, body: { error: 'rejected once' } }]);
    const { leadId, deliveryId } = await postLead(ctx.apiKey, 'detail@example.com');
    await settled(deliveryId, 'failed');

    await page.goto(`${ctx.system.url}/admin`);
    expect(await page.locator(`tr[data-lead-id="${leadId}"] a[data-role=lead-link]`).getAttribute('href')).toBe(`/admin/leads/${leadId}`);
    await page.goto(`${ctx.system.url}/admin/failed`);
    await Promise.all([page.waitForURL(`${ctx.system.url}/admin/leads/${leadId}`), page.click(`tr[data-delivery-id="${deliveryId}"] a[data-role=lead-link]`)]);

    expect(await page.textContent('h1')).toBe(`Lead ${leadId}`);
    expect(await page.textContent('[data-role=lead-status]')).toBe('failed');
    expect(JSON.parse((await page.textContent('[data-role=lead-data]'))!)).toEqual({ email: 'detail@example.com', company: 'Detail & Co' });
    const row = page.locator(`tr[data-delivery-id="${deliveryId}"]`);
    expect(await row.textContent()).toContain('sink (custom)');
    expect(await row.locator('[data-role=status]').textContent()).toBe('failed');
    expect(await row.locator('[data-role=attempts]').textContent()).toBe('1');
    expect(await row.locator('[data-role=last-error]').textContent()).toBe('HTTP_400');
    expect(await row.locator('table.attempts tbody tr').allTextContents()).toEqual([expect.stringMatching(/ms400—HTTP_400/)]);

    await row.locator('button[data-action=retry]').click();
    await waitForRowStatus(deliveryId, 'succeeded');
    await page.reload();
    expect(await page.textContent('[data-role=lead-status]')).toBe('synced');
    expect(await row.locator('[data-role=attempts]').textContent()).toBe('2');
    expect(await row.locator('table.attempts tbody tr').count()).toBe(2);
    expect(await row.locator('[data-role=external-id]').textContent()).toBe((await delivery(deliveryId)).externalId);
    expect(await row.locator('button', { hasText: 'Retry' }).isDisabled()).toBe(true);
  });

  it('answers an unknown or malformed lead id with a 404 page', async () => {
    for (const id of ['01890000-0000-7000-8000-000000000000', 'not-a-lead', "1'%20OR%201=1"]) {
      const res = await page.goto(`${ctx.system.url}/admin/leads/${id}`);
      expect({ id, status: res!.status() }).toEqual({ id, status: 404 });
      expect(await page.textContent('h1')).toBe('Lead not found');
    }
  });

  it(`lists a delivery queued for over ${STUCK_AFTER_MS / 60000} minutes on the Failed page, and Retry delivers it, leaving no broken delivery`, async () => {
    const { deliveryId } = await postLead(ctx.apiKey, 'stuck@example.com');
    await settled(deliveryId, 'succeeded');
    const callsBefore = ctx.sink.callsTo('leads').length;

    // Just under the threshold: not listed yet.
    await queuedSince(deliveryId, STUCK_AFTER_MS - 60_000);
    await page.goto(`${ctx.system.url}/admin/failed`);
    expect(await page.locator(`table.stuck tr[data-delivery-id="${deliveryId}"]`).count()).toBe(0);

    await queuedSince(deliveryId, STUCK_AFTER_MS + 5 * 60_000);
    const broken = await findBrokenDeliveries({ db: ctx.system.deps.db, redis: ctx.system.config.REDIS_URL, deliveryIds: [deliveryId] });
    expect(broken.map((b) => b.deliveryId)).toEqual([deliveryId]); // a real stuck delivery: queued, and no job will run it

    await page.goto(`${ctx.system.url}/admin/failed`);
    const row = page.locator(`table.stuck tr[data-delivery-id="${deliveryId}"]`);
    expect(await row.locator('[data-role=status]').textContent()).toBe('queued');
    expect(await row.textContent()).toContain('(no live job)');
    await row.locator('button[data-action=retry]').click();
    await waitForRowStatus(deliveryId, 'succeeded');

    expect(ctx.sink.callsTo('leads').length).toBe(callsBefore + 1);
    await ctx.system.expectNoBrokenDeliveries();
    await page.reload();
    expect(await page.locator('table.stuck').count()).toBe(0);
  });

  it('shows a destination whose deliveries are only in flight or older than 24 h as such, not as "no deliveries"', async () => {
    const rowOf = (id: string) => page.locator(`tr[data-destination-id="${id}"]`);
    // An account whose destination is paused: its lead's delivery stays queued, held by the lane.
    const held = await ctx.system.createAccount('Held');
    const heldDestination = (
      await ctx.system.call('POST', '/v1/destinations', { key: held.apiKey, body: { name: 'held', type: 'custom', config: { url: `${ctx.sink.url}/leads` } } })
    ).body.id;
    await ctx.system.call('POST', `/v1/destinations/${heldDestination}/pause`, { key: held.apiKey });
    const { leadId: heldLead, deliveryId: heldDelivery } = await postLead(held.apiKey, 'held@example.com');
    // An account whose only delivery finished two days ago.
    const old = await ctx.system.createAccount('Old');
    const oldDestination = (
      await ctx.system.call('POST', '/v1/destinations', { key: old.apiKey, body: { name: 'old', type: 'custom', config: { url: `${ctx.sink.url}/leads` } } })
    ).body.id;
    const oldDelivery = (await postLead(old.apiKey, 'old@example.com')).deliveryId;
    await settled(oldDelivery, 'succeeded');
    await ctx.system.deps.db.$executeRaw`UPDATE deliveries SET updated_at = now() - interval '2 days' WHERE id = ${oldDelivery}`;
    // An account with a destination and no lead at all.
    const empty = await ctx.system.createAccount('Empty');
    const emptyDestination = (
      await ctx.system.call('POST', '/v1/destinations', {
        key: empty.apiKey,
        body: { name: 'empty', type: 'custom', config: { url: `${ctx.sink.url}/leads` } },
      })
    ).body.id;

    expect((await delivery(heldDelivery)).status).toBe('queued');
    await page.goto(`${ctx.system.url}/admin/destinations`);
    for (const id of [heldDestination, oldDestination]) expect(await rowOf(id).textContent()).not.toContain('no deliveries');
    expect(await rowOf(heldDestination).locator('[data-role=none-finished]').textContent()).toBe('none finished in 24 h');
    expect(await rowOf(heldDestination).locator('[data-role=in-flight]').textContent()).toBe('1 in flight');
    expect(await rowOf(oldDestination).locator('[data-role=none-finished]').textContent()).toBe('none finished in 24 h');
    expect(await rowOf(oldDestination).locator('[data-role=in-flight]').count()).toBe(0);
    expect(await rowOf(emptyDestination).textContent()).toContain('no deliveries');
    expect(await rowOf(destinationId).locator('[data-role=failure-rate]').textContent()).toBe('0%');

    // Its lead page says no call was made yet; held for long, the Failed page lists it with its live job, which Retry keeps.
    await page.goto(`${ctx.system.url}/admin/leads/${heldLead}`);
    expect(await page.textContent(`tr[data-delivery-id="${heldDelivery}"] [data-role=no-attempts]`)).toBe('No call was made yet.');
    await queuedSince(heldDelivery, STUCK_AFTER_MS + 60_000);
    await page.goto(`${ctx.system.url}/admin/failed`);
    const stuck = page.locator(`table.stuck tr[data-delivery-id="${heldDelivery}"]`);
    expect(LIVE_JOB_STATES.has((await stuck.locator('[data-role=job-state]').textContent())!)).toBe(true);
    expect(await stuck.textContent()).not.toContain('no live job');
    await ctx.system.expectNoBrokenDeliveries();

    await ctx.system.call('POST', `/v1/destinations/${heldDestination}/resume`, { key: held.apiKey });
    await settled(heldDelivery, 'succeeded');
  });

  it('keeps a 400 px wide window from scrolling sideways: wide tables scroll in their own box', async () => {
    const leadId = (await ctx.system.deps.db.lead.findFirstOrThrow({ where: { data: { path: ['email'], equals: 'detail@example.com' } } })).id;
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      for (const path of ['/admin', '/admin/failed', '/admin/destinations', '/admin/sources', `/admin/leads/${leadId}`]) {
        await page.goto(ctx.system.url + path);
        const widths = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          window: document.documentElement.clientWidth,
          tables: Array.from(document.querySelectorAll('.table-scroll'), (box) => ({ content: box.scrollWidth, box: box.clientWidth })),
        }));
        expect({ path, overflow: widths.page - widths.window }).toEqual({ path, overflow: 0 });
        expect({ path, tables: widths.tables.length }).not.toEqual({ path, tables: 0 });
        for (const table of widths.tables) expect(table.box).toBeLessThanOrEqual(widths.window);
      }
      // The destinations table is far wider than 400 px: its box scrolls.
      await page.goto(`${ctx.system.url}/admin/destinations`);
      const box = page.locator('.table-scroll').first();
      const scrolled = await box.evaluate((el) => {
        el.scrollLeft = 200;
        return { scrollLeft: el.scrollLeft, content: el.scrollWidth, box: el.clientWidth };
      });
      expect(scrolled.content).toBeGreaterThan(scrolled.box);
      expect(scrolled.scrollLeft).toBeGreaterThan(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('links a favicon that loads, and no asset of a page answers 404', async () => {
    const failures: string[] = [];
    page.on('response', (res) => {
      if (res.status() >= 400) failures.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(`${ctx.system.url}/admin/failed`);
    expect(await page.locator('link[rel=icon]').count()).toBe(1);
    const href = await page.locator('link[rel=icon]').getAttribute('href');
    expect(href).toBe('/admin/assets/favicon.svg');
    const icon = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    }, href!);
    expect(icon).toMatchObject({ status: 200, type: expect.stringMatching(/^image\/svg\+xml/), body: expect.stringContaining('<svg') });
    expect(failures).toEqual([]);
  });

  it('serves the panel script and stylesheet as static files with their types, and a missing asset as a 404', async () => {
    const js = await fetch(`${ctx.system.url}/admin/assets/panel.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain("'use strict';");
    const css = await fetch(`${ctx.system.url}/admin/assets/panel.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.table-scroll');
    const missing = await fetch(`${ctx.system.url}/admin/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NOT_FOUND');
  });
});
