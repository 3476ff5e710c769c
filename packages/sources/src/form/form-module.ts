import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { urlShapeProblem } from '@crm-push/outbound';
import { baseConfigShape } from '../base-config';
import { parseFields } from '../body/parse-body';
import type { SourceModule } from '../contract';
import { buildLead, commonRoleOf } from '../normalise';

const origin = z
  .string()
  .trim()
  .refine((o) => {
    try {
      return new URL(o).origin === o.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'must be an origin such as https://www.example.com (scheme, host and port only)')
  .transform((o) => o.replace(/\/$/, ''));

export const formConfigSchema = z
  .object({
    ...baseConfigShape,
    /** Where a browser is sent (303) after a successful post. */
    redirectUrl: z
      .string()
      .trim()
      .superRefine((url, ctx) => {
        const problem = urlShapeProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** Origins a browser may post from (CORS); others are refused. Unset: any origin may post, no CORS answer. */
    allowedOrigins: z.array(origin).max(50).optional(),
    /** A field humans leave empty (hidden with CSS); filled, the post is accepted and stored as nothing. */
    honeypotField: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type FormConfig = z.infer<typeof formConfigSchema>;

/** A public web form: urlencoded, multipart fields or JSON, no secret. */
export const formModule: SourceModule<FormConfig, Record<string, never>> = {
  type: 'form',
  configSchema: formConfigSchema,
  credentialsSchema: z.object({}).strict(),
  methods: ['POST'],
  // A public form is the easiest flood: a modest default, raised per source in config.
  defaultRateLimitPerMinute: 60,
  acceptedStatus: 202,
  maxBodyBytes: 64 * 1024,
  corsOrigins: (config) => config.allowedOrigins,
  async receive(req, { config }) {
    const { kind, fields } = await parseFields(req.rawBody, req.headers['content-type'], ['urlencoded', 'multipart', 'json']);
    const honeypot = config.honeypotField;
    if (honeypot && fields[honeypot] !== undefined && String(fields[honeypot]).trim() !== '') {
      return { kind: 'ignored', reason: 'honeypot field filled' };
    }
    if (honeypot) delete fields[honeypot];
    const lead = buildLead({ providerType: 'form', providerLeadId: uuidv7(), fields, roleOf: commonRoleOf, receivedAt: req.receivedAt });
    // A browser's own form post is redirected; a script posting JSON gets the lead.
    const redirectUrl = kind !== 'json' ? config.redirectUrl : undefined;
    return { kind: 'leads', leads: [lead], redirectUrl };
  },
};
