import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (webhook-id / webhook-timestamp / webhook-signature).
 * Secrets may carry the spec's `whsec_` prefix (base64 key after it); a secret without it is
 * taken as raw bytes, so users can paste whatever their receiver was configured with.
 */
export function standardWebhookHeaders(secret: string, messageId: string, body: string, at = new Date()): Record<string, string> {
  const key = secret.startsWith('whsec_') ? secret : Buffer.from(secret, 'utf8').toString('base64');
  const signature = new Webhook(key).sign(messageId, at, body);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
