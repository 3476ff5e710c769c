import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNetworkPolicy } from '@crm-push/outbound';
import { deliveryFailure } from '@crm-push/testing';
import type { SlackAction } from '../actions';
import { HttpSink, closedPort } from '../__tests__/http-sink';
import { makeLead } from '../__tests__/lead';
import { sendSlack } from './slack';

const lead = makeLead({ email: 'ada@example.com', country: 'DE' });
const ctx = { deliveryId: 'act_1', network: createNetworkPolicy({ allowPrivateNetworks: true }) };

describe('sendSlack', () => {
  let sink: HttpSink;
  let action: SlackAction;
  beforeEach(async () => {
    sink = await new HttpSink().start();
    action = { type: 'slack', webhookUrl: sink.url, text: 'New lead {{data.email}} from {{data.country}} via {{source}}' };
  });
  afterEach(() => sink.close());

  it('posts the rendered text as {text} to the incoming webhook', async () => {
    await expect(sendSlack(action, lead, ctx)).resolves.toEqual({ statusCode: 200 });
    expect(sink.requests).toHaveLength(1);
    const [req] = sink.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ text: 'New lead ada@example.com from DE via webform' });
  });

  it('throws a retryable error, and so retries, when Slack answers 500', async () => {
    sink.reply({ status: 500, body: 'internal' });
    const err = await deliveryFailure(sendSlack(action, lead, ctx));
    expect(err).toMatchObject({ code: 'SERVER_ERROR', retryable: true, statusCode: 500 });
    expect(err.message).toBe('Slack answered 500: internal');
  });

  it('throws a final error, not retried, when Slack answers 400, keeping its reason', async () => {
    sink.reply({ status: 400, body: 'invalid_payload' });
    const err = await deliveryFailure(sendSlack(action, lead, ctx));
    expect(err).toMatchObject({ code: 'CLIENT_ERROR', retryable: false, statusCode: 400 });
    expect(err.message).toContain('invalid_payload');
    expect(err.message).not.toContain(sink.url);
  });

  it('honours Retry-After on 429', async () => {
    sink.reply({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const err = await deliveryFailure(sendSlack(action, lead, ctx));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true, statusCode: 429, retryAfterMs: 7000 });
  });

  it('does not follow a redirect, and does not retry it', async () => {
    sink.reply({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const err = await deliveryFailure(sendSlack(action, lead, ctx));
    expect(err).toMatchObject({ code: 'REDIRECT_NOT_FOLLOWED', retryable: false, statusCode: 302 });
    expect(err.message).toBe('Slack answered 302 redirecting to "127.0.0.1:1"; redirects are not followed (configure the final URL)');
    expect(sink.requests).toHaveLength(1);
  });

  it('refuses a loopback URL for good, without calling it, unless private networks are allowed', async () => {
    const err = await deliveryFailure(sendSlack(action, lead, { deliveryId: 'act_1', network: createNetworkPolicy({ allowPrivateNetworks: false }) }));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(sink.requests).toHaveLength(0);
  });

  it('throws a retryable error when the connection is refused', async () => {
    const port = await closedPort();
    const err = await deliveryFailure(sendSlack({ ...action, webhookUrl: `http://127.0.0.1:${port}/hook` }, lead, ctx));
    expect(err).toMatchObject({ code: 'CONNECTION_REFUSED', retryable: true });
  });

  it('throws a retryable TIMEOUT when Slack does not answer in time', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const err = await deliveryFailure(sendSlack({ ...action, webhookUrl: `http://127.0.0.1:${port}/hook` }, lead, { ...ctx, timeoutMs: 100 }));
      expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails for good, without calling Slack, when the template blows its limits', async () => {
    const runaway = { ...action, text: '{% for i in (1..20000) %}0123456789{% endfor %}' };
    const err = await deliveryFailure(sendSlack(runaway, lead, ctx));
    expect(err).toMatchObject({ code: 'TEMPLATE_ERROR', retryable: false });
    expect(sink.requests).toHaveLength(0);
  });
});
