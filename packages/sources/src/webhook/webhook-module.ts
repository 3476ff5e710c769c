import { v7 as uuidv7 } from 'uuid';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { baseConfigShape } from '../base-config';
import { parseFields } from '../body/parse-body';
import type { SourceModule } from '../contract';
import { buildLead, clean, commonRoleOf } from '../normalise';
import { invalidSignature } from '../source-error';

export const webhookConfigSchema = z.object({ ...baseConfigShape }).strict();
export const webhookCredentialsSchema = z
  .object({
    /** Standard Webhooks secret (`whsec_…`, or any text taken as the raw key). */
    signingSecret: z.string().min(8).max(500).optional(),
  })
  .strict();
type WebhookCredentials = z.infer<typeof webhookCredentialsSchema>;

/** Body fields that name the sender's own id for the lead, in order of preference. */
const ID_FIELDS = ['id', 'leadId', 'lead_id', 'externalId'];

function verify(secret: string, raw: Buffer, headers: Record<string, string | undefined>): void {
  // Same key convention as outgoing signed webhooks (@crm-push/crm standardWebhookHeaders).
  const key = secret.startsWith('whsec_') ? secret : Buffer.from(secret, 'utf8').toString('base64');
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  try {
    new Webhook(key).verify(raw.toString('utf8'), signed);
  } catch (err) {
    if (err instanceof WebhookVerificationError) throw invalidSignature(`Standard Webhooks signature: ${err.message}`);
    throw err;
  }
}

/** JSON posts from any system; with a signing secret, each must carry a valid Standard Webhooks signature. */
export const webhookModule: SourceModule<z.infer<typeof webhookConfigSchema>, WebhookCredentials> = {
  type: 'webhook',
  configSchema: webhookConfigSchema,
  credentialsSchema: webhookCredentialsSchema,
  methods: ['POST'],
  defaultRateLimitPerMinute: 6000,
  acceptedStatus: 202,
  maxBodyBytes: 256 * 1024,
  async receive(req, { credentials }) {
    // The signature covers the bytes received, so it is checked before the body is parsed.
    if (credentials.signingSecret) verify(credentials.signingSecret, req.rawBody, req.headers);
    const { fields } = await parseFields(req.rawBody, req.headers['content-type'], ['json']);
    // webhook-id is the sender's message id: a redelivery carries the same one, so it dedupes.
    const providerLeadId = clean(req.headers['webhook-id']) ?? ID_FIELDS.map((f) => clean(fields[f])).find(Boolean) ?? uuidv7();
    const roleOf = (name: string) => (ID_FIELDS.includes(name) ? 'standard' : commonRoleOf(name));
    const lead = buildLead({ providerType: 'webhook', providerLeadId, fields, roleOf, receivedAt: req.receivedAt });
    return { kind: 'leads', leads: [lead] };
  },
};
