import { z } from 'zod';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  // The SDK appends "/crm/v3/..." to the base path, so a trailing slash would double up.
  .transform((u) => u.replace(/\/+$/, ''));

export const hubspotConfigSchema = z
  .object({
    /** @defaultValue "https://api.hubapi.com" */
    baseUrl: httpUrl.default('https://api.hubapi.com'),
    /** The unique contact property that identifies an existing contact. @defaultValue "email" */
    upsertBy: z.string().trim().min(1).default('email'),
    /** The longest HubSpot may stay silent on one call. @defaultValue 10000 */
    timeoutMs: z.number().int().min(100).max(120000).default(10000),
  })
  .strict();
export type HubSpotConfig = z.output<typeof hubspotConfigSchema>;

export const hubspotCredentialsSchema = z
  .object({
    /** A private-app token or an OAuth access token. */
    accessToken: z.string().trim().min(1),
  })
  .strict();
export type HubSpotCredentials = z.output<typeof hubspotCredentialsSchema>;
