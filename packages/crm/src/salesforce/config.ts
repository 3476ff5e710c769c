import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const apiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce API name (letters, digits, _)');

export const salesforceConfigSchema = z
  .object({
    /** The org's My Domain URL; only its origin is used. */
    instanceUrl: httpUrl.transform((u) => new URL(u).origin),
    /** REST API version; 46.0+ is needed for upsert's `created` flag and Collections upsert. @defaultValue "59.0" */
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'must look like "59.0"')
      .refine((v) => Number(v) >= 46, 'must be 46.0 or later')
      .default('59.0'),
    /** The sObject each lead becomes. @defaultValue "Lead" */
    object: apiName.default('Lead'),
    /** When set, leads are upserted by this external id field (its value comes from the mapped record). */
    externalIdField: apiName.optional(),
    /** Per HTTP call, token refresh included. @defaultValue 10000 */
    timeoutMs: z.number().int().min(100).max(120000).default(10000),
  })
  .strict();
export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;

export const salesforceCredentialsSchema = z
  .object({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** OAuth token endpoint. @defaultValue `${instanceUrl}/services/oauth2/token` */
    tokenUrl: httpUrl.optional(),
  })
  .strict()
  // Salesforce's refresh_token grant needs the connected app's client id; refusing early beats a silent no-refresh.
  .refine((c) => !c.refreshToken || c.clientId, { path: ['clientId'], message: 'is required to refresh the access token with refreshToken' });
export type SalesforceCredentials = z.output<typeof salesforceCredentialsSchema>;

export function tokenUrlOf(config: Pick<SalesforceConfig, 'instanceUrl'>, credentials: Pick<SalesforceCredentials, 'tokenUrl'>): string {
  return credentials.tokenUrl ?? `${config.instanceUrl}/services/oauth2/token`;
}

/** sObject Collections take at most 200 records per call. */
export const COLLECTION_LIMIT = 200;
