import { z } from 'zod';
import { urlShapeProblem, validateTemplate } from '@crm-push/outbound';
import { conditionSchema } from './conditions';

/** A Liquid template (`New lead {{data.email}}`), refused at save time when it does not parse. */
function template(maxLength: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(maxLength)
    .superRefine((text, ctx) => {
      const problem = validateTemplate(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/**
 * Outbound URLs, checked as destination URLs are: http(s) only (no file:, ftp: or javascript:),
 * no user:password. Whether the host is private is checked when saving (actionUrls) and sending.
 */
const httpUrl = z.string().superRefine((url, ctx) => {
  const problem = urlShapeProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A Standard Webhooks secret: `whsec_` + base64 key as the spec writes it, or any other string,
 * whose UTF-8 bytes are the key (see standardWebhookHeaders in @crm-push/outbound).
 */
const signingSecret = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => !s.startsWith('whsec_') || /^[A-Za-z0-9+/]+={0,2}$/.test(s.slice('whsec_'.length)), {
    error: 'a whsec_ secret must be followed by its base64 key',
  });

export const crmPushActionSchema = z
  .object({
    type: z.literal('crm_push'),
    // Duplicates collapse: a destination gets one delivery per lead however often it is named.
    destinationIds: z
      .array(z.string().min(1).max(100))
      .min(1, 'must name at least one destination')
      .max(100)
      .transform((ids) => [...new Set(ids)]),
  })
  .strict();

export const slackActionSchema = z
  .object({
    type: z.literal('slack'),
    webhookUrl: httpUrl,
    text: template(4000),
  })
  .strict();

export const emailActionSchema = z
  .object({
    type: z.literal('email'),
    to: z.array(z.email()).min(1, 'must name at least one recipient').max(50),
    subject: template(1000),
    text: template(20_000),
    html: template(20_000).optional(),
  })
  .strict();

export const webhookActionSchema = z
  .object({
    type: z.literal('webhook'),
    url: httpUrl,
    signingSecret: signingSecret.optional(),
  })
  .strict();

export const actionSchema = z.discriminatedUnion('type', [crmPushActionSchema, slackActionSchema, emailActionSchema, webhookActionSchema]);

export type CrmPushAction = z.infer<typeof crmPushActionSchema>;
export type SlackAction = z.infer<typeof slackActionSchema>;
export type EmailAction = z.infer<typeof emailActionSchema>;
export type WebhookAction = z.infer<typeof webhookActionSchema>;
export type FlowAction = z.infer<typeof actionSchema>;
/** Actions that run as their own jobs; `crm_push` becomes deliveries instead. */
export type SideAction = SlackAction | EmailAction | WebhookAction;
export const MAX_ACTIONS = 20;

const name = z.string().trim().min(1, 'must not be empty').max(200);
const actions = z.array(actionSchema).min(1, 'a flow needs at least one action').max(MAX_ACTIONS);

/** Body of POST /v1/flows. */
export const flowInputSchema = z
  .object({
    name,
    enabled: z.boolean().default(true),
    when: conditionSchema,
    actions,
  })
  .strict();

/** Body of PATCH /v1/flows/:id: any subset; no defaults, so an omitted `enabled` stays as it was. */
export const flowPatchSchema = z
  .object({
    name: name.optional(),
    enabled: z.boolean().optional(),
    when: conditionSchema.optional(),
    actions: actions.optional(),
  })
  .strict();

export type FlowInput = z.infer<typeof flowInputSchema>;
export type FlowPatch = z.infer<typeof flowPatchSchema>;

/**
 * Actions as API responses should show them: a webhook's signing secret becomes
 * `hasSigningSecret`, as destination credentials become `hasCredentials`.
 */
export function redactActions(list: FlowAction[]): Record<string, unknown>[] {
  return list.map((action) => {
    if (action.type !== 'webhook') return action;
    const { signingSecret, ...rest } = action;
    return { ...rest, hasSigningSecret: signingSecret !== undefined };
  });
}

/** The URLs a flow's actions will call, for the private-network guard (assertUrlAllowed) on save. */
export function actionUrls(list: FlowAction[]): string[] {
  return list.flatMap((action) => (action.type === 'slack' ? [action.webhookUrl] : action.type === 'webhook' ? [action.url] : []));
}
