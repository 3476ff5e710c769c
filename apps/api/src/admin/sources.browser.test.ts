/// <reference lib="dom" />
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, type FakeHubSpot, TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../test-support/browser';
import { startSystem, type TestSystem } from '../test-support/system';

/** A marketing site: a plain HTML form posting to the source's ingest URL, and its thank-you page. */
function startSite(formAction: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/thanks') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1 id="thanks">Thank you!</h1>');
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
<form method="post" action="${formAction()}">
  <input name="first_name" id="first"> <input name="last_name" id="last">
  <input name="email" id="email" type="email"> <input name="phone" id="phone">
  <select name="course_interest" id="course"><option>Math 101</option><option>Art 202</option></select>
  <input name="website" id="website" style="display:none" tabindex="-1" autocomplete="off">
  <button type="submit" id="send">Send</button>
</form>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe('a web form source in a real browser, and the Sources page', () => {
  let system: TestSystem;
  let hubspot: FakeHubSpot;
  let site: { url: string; close(): Promise<void> };
  let ingestUrl = '';
  let sourceId = '';
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    system = await startSystem();
    hubspot = createFakeHubSpot();
    await hubspot.start();
    site = await startSite(() => ingestUrl);
    const { apiKey } = await system.createAccount('Form Co');
    await system.call('POST', '/v1/destinations', {
      key: apiKey,
      body: { name: 'HS', type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } },
    });
    const source = await system.call('POST', '/v1/sources', {
      key: apiKey,
      body: { name: 'Contact form', type: 'form', config: { redirectUrl: `${site.url}/thanks`, allowedOrigins: [site.url], honeypotField: 'website' } },
    });
    expect(source.status).toBe(201);
    sourceId = source.body.id;
    ingestUrl = system.url + source.body.ingestUrl;
    browser = await launchBrowser();
    page = browser.page;
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await hubspot?.stop();
    await system?.stop();
  });

  it('posts a real <form>, lands on the thank-you page, and the lead reaches HubSpot', async () => {
    await page.goto(site.url);
    await page.fill('#first', 'Ada');
    await page.fill('#last', 'Lovelace');
    await page.fill('#email', 'Ada@Example.com');
    await page.fill('#phone', '+44 20 7946 0000');
    await page.selectOption('#course', 'Art 202');
    await Promise.all([page.waitForURL(`${site.url}/thanks`), page.click('#send')]);
    expect(await page.textContent('#thanks')).toBe('Thank you!');

    const contact = await waitFor('the HubSpot contact', () => hubspot.contacts.all().find((c) => c.properties.email === 'ada@example.com'));
    expect(contact.properties).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace', phone: '+44 20 7946 0000' });
    const [lead] = await system.deps.db.lead.findMany({ where: { source: sourceId } });
    expect(lead.data).toMatchObject({ providerType: 'form', customFields: { course_interest: 'Art 202' } });
  });

  it('accepts a bot that fills the hidden honeypot, redirects it, and stores nothing', async () => {
    await page.goto(site.url);
    await page.fill('#email', 'bot@spam.example');
    await page.evaluate(() => ((document.getElementById('website') as HTMLInputElement).value = 'http://spam.example'));
    await Promise.all([page.waitForURL(`${site.url}/thanks`), page.click('#send')]);
    expect(await system.deps.db.lead.count({ where: { source: sourceId } })).toBe(1);
  });

  it('shows the source on the Sources page with its ingest URL, counters and recent calls, and each lead its source', async () => {
    await page.goto(`${system.url}/admin/sources`);
    await page.fill('input[name=token]', TEST_ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${system.url}/admin/sources`), page.click('button[type=submit]')]);
    const row = page.locator(`tr[data-source-id="${sourceId}"]`);
    expect(await row.locator('[data-role=ingest-url]').textContent()).toBe(new URL(ingestUrl).pathname);
    expect(await row.locator('[data-role=created]').textContent()).toBe('1');
    expect((await row.locator('[data-role=received]').textContent())!.startsWith('2')).toBe(true);
    expect(await row.locator('[data-role=last-error]').textContent()).toBe('none');
    await row.locator('summary').click();
    expect(await row.locator('tr[data-role=event]').allTextContents()).toEqual([expect.stringContaining('ignored'), expect.stringContaining('accepted')]);
    await row.locator('button[data-action=copy]').click();
    await page.waitForFunction(() => document.querySelector('[data-role=message]')?.textContent?.startsWith('Copied /in/src_'));

    await page.goto(`${system.url}/admin`);
    expect(await page.locator('table.leads [data-role=source]').first().textContent()).toBe('from Contact form (form)');
  });
});
