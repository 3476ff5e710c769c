import { standardWebhookHeaders } from '@crm-push/outbound';
import type { WebhookAction } from '../actions';
import { leadPayload, type FlowLead } from '../flow-lead';
import { postJson } from './post-json';
import type { SendContext, SendResult } from './send-context';

/**
 * POSTs the lead as JSON. With a signing secret the request is signed per the Standard Webhooks
 * spec; `webhook-id` is the deliveryId, so a retry carries the same id and receivers can dedupe.
 * A `whsec_` secret is the spec's base64 key; any other secret's UTF-8 bytes are the key (the
 * receiver verifies with `whsec_` + base64 of those bytes). Without a secret the request goes
 * unsigned but still carries webhook-id and webhook-timestamp. Throws DeliveryError.
 */
export async function sendWebhook(action: WebhookAction, lead: FlowLead, ctx: SendContext): Promise<SendResult> {
  const body = JSON.stringify(leadPayload(lead));
  const now = new Date();
  const headers = action.signingSecret
    ? standardWebhookHeaders(action.signingSecret, ctx.deliveryId, body, now)
    : { 'webhook-id': ctx.deliveryId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)) };
  return postJson('webhook', action.url, body, headers, ctx);
}
