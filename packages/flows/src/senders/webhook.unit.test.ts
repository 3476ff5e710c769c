import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { createNetworkPolicy } from '@crm-push/outbound';
import { deliveryFailure } from '@crm-push/testing';
import type { WebhookAction } from '../actions';
import { HttpSink, closedPort, type ReceivedRequest } from '../__tests__/http-sink';
import { makeLead } from '../__tests__/lead';
import { sendWebhook } from './webhook';

const lead = makeLead({ email: 'ada@example.com', country: 'DE', nested: { tags: ['a', 'ü'] } });
const ctx = { deliveryId: 'act_42', network: createNetworkPolicy({ allowPrivateNetworks: true }) };
const SECRET = 'whsec_' + Buffer.from('a-32-byte-key-for-standard-hooks').toString('base64');

function headersOf(req: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
}

describe('sendWebhook', () => {
  let sink: HttpSink;
  let action: WebhookAction;
  beforeEach(async () => {
    sink = await new HttpSink().start();
    action = { type: 'webhook', url: sink.url, signingSecret: SECRET };
  });
  afterEach(() => sink.close());

  it('posts the lead as JSON, signed so the Standard Webhooks library verifies it', async () => {
    await expect(sendWebhook(action, lead, ctx)).resolves.toEqual({ statusCode: 200 });
    const [req] = sink.requests;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['webhook-id']).toBe('act_42');
    expect(req.headers['webhook-signature']).toMatch(/^v1,/);
    const verified = new Webhook(SECRET).verify(req.body, headersOf(req));
    expect(verified).toEqual({
      id: 'lead_1',
      source: 'webform',
      externalId: 'ext-1',
      data: { email: 'ada@example.com', country: 'DE', nested: { tags: ['a', 'ü'] } },
      createdAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it('fails verification under another secret or a tampered body', async () => {
    await sendWebhook(action, lead, ctx);
    const [req] = sink.requests;
    const other = 'whsec_' + Buffer.from('some-other-key').toString('base64');
    expect(() => new Webhook(other).verify(req.body, headersOf(req))).toThrow(WebhookVerificationError);
    expect(() => new Webhook(SECRET).verify(req.body.replace('DE', 'US'), headersOf(req))).toThrow(WebhookVerificationError);
  });

  it('keys a raw secret by its UTF-8 bytes, i.e. whsec_ + base64 of them', async () => {
    await sendWebhook({ ...action, signingSecret: 'plain sécret' }, lead, ctx);
    const [req] = sink.requests;
    const receiverSecret = 'whsec_' + Buffer.from('plain sécret', 'utf8').toString('base64');
    expect(new Webhook(receiverSecret).verify(req.body, headersOf(req))).toMatchObject({ id: 'lead_1' });
  });

  it('sends the same webhook-id on a retry, so receivers can dedupe', async () => {
    sink.reply({ status: 503 });
    await deliveryFailure(sendWebhook(action, lead, ctx));
    await sendWebhook(action, lead, ctx);
    expect(sink.requests.map((r) => r.headers['webhook-id'])).toEqual(['act_42', 'act_42']);
    expect(new Webhook(SECRET).verify(sink.requests[1].body, headersOf(sink.requests[1]))).toMatchObject({ id: 'lead_1' });
  });

  it('sends unsigned without a secret, still with webhook-id and webhook-timestamp', async () => {
    await sendWebhook({ type: 'webhook', url: sink.url }, lead, ctx);
    const [req] = sink.requests;
    expect(req.headers['webhook-signature']).toBeUndefined();
    expect(req.headers['webhook-id']).toBe('act_42');
    expect(req.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(JSON.parse(req.body)).toMatchObject({ id: 'lead_1', data: { country: 'DE' } });
  });

  it('throws a retryable error, and so retries, when the receiver answers 500', async () => {
    sink.reply({ status: 500 });
    expect(await deliveryFailure(sendWebhook(action, lead, ctx))).toMatchObject({ code: 'SERVER_ERROR', retryable: true, statusCode: 500 });
  });

  it('throws a final error when the receiver answers 400', async () => {
    sink.reply({ status: 400, body: '{"error":"bad signature"}' });
    const err = await deliveryFailure(sendWebhook(action, lead, ctx));
    expect(err).toMatchObject({ code: 'CLIENT_ERROR', retryable: false, statusCode: 400 });
    expect(err.message).toBe('webhook answered 400: {"error":"bad signature"}');
  });

  it('honours an HTTP-date Retry-After on 429', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    sink.reply({ status: 429, headers: { 'retry-after': at } });
    const err = await deliveryFailure(sendWebhook(action, lead, ctx));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true, statusCode: 429 });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('refuses a private-network URL for good unless private networks are allowed', async () => {
    const err = await deliveryFailure(
      sendWebhook({ ...action, url: 'http://10.1.2.3/hook' }, lead, { deliveryId: 'act_42', network: createNetworkPolicy({ allowPrivateNetworks: false }) }),
    );
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
  });

  it('throws a retryable error when nothing listens', async () => {
    const port = await closedPort();
    const err = await deliveryFailure(sendWebhook({ ...action, url: `http://127.0.0.1:${port}/hook` }, lead, ctx));
    expect(err).toMatchObject({ code: 'CONNECTION_REFUSED', retryable: true });
  });
});
