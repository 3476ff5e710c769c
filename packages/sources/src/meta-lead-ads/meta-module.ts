import { z } from 'zod';
import { urlShapeProblem } from '@crm-push/outbound';
import { baseConfigShape } from '../base-config';
import { parseJsonObject } from '../body/parse-body';
import type { SourceModule } from '../contract';
import { buildLead, commonRoleOf } from '../normalise';
import { secretsEqual } from '../secret-compare';
import { invalidBody, SourceError } from '../source-error';
import { fetchGraphLead, type GraphLead } from './graph-client';
import { assertHubSignature } from './signature';

export const metaConfigSchema = z
  .object({
    ...baseConfigShape,
    graphBaseUrl: z
      .string()
      .trim()
      .superRefine((url, ctx) => {
        const problem = urlShapeProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('https://graph.facebook.com'),
    graphVersion: z
      .string()
      .trim()
      .regex(/^v\d+\.\d+$/, 'must look like v21.0')
      .default('v21.0'),
  })
  .strict();
export const metaCredentialsSchema = z
  .object({
    appSecret: z.string().min(1).max(500),
    verifyToken: z.string().min(1).max(500),
    pageAccessToken: z.string().min(1).max(2000),
  })
  .strict();
type MetaConfig = z.infer<typeof metaConfigSchema>;
type MetaCredentials = z.infer<typeof metaCredentialsSchema>;

/** Most changes one notification may carry; Meta sends up to 1 000. */
const MAX_CHANGES = 1000;
/** Graph fields of a lead besides its answers, kept as received but never custom. */
const GRAPH_LEAD_FIELDS = new Set([
  'created_time',
  'ad_id',
  'ad_name',
  'adset_id',
  'adset_name',
  'campaign_id',
  'campaign_name',
  'form_id',
  'is_organic',
  'platform',
  'page_id',
]);

function handshake(query: URLSearchParams, verifyToken: string) {
  const challenge = query.get('hub.challenge');
  if (query.get('hub.mode') !== 'subscribe' || !challenge || !secretsEqual(query.get('hub.verify_token') ?? undefined, verifyToken)) {
    throw new SourceError({ status: 403, code: 'VERIFY_TOKEN_MISMATCH', message: 'hub.mode must be subscribe and hub.verify_token must match the source' });
  }
  return { kind: 'reply' as const, status: 200, contentType: 'text/plain', body: challenge };
}

/** leadgen_id of every `leadgen` change, each once, in order. */
export function leadgenIds(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.entry)) throw invalidBody('entry: must be an array of page entries');
  const ids = new Set<string>();
  body.entry.forEach((entry: unknown, i) => {
    const changes = (entry as { changes?: unknown })?.changes;
    if (!Array.isArray(changes)) throw invalidBody(`entry.${i}.changes: must be an array`);
    changes.forEach((change: unknown, j) => {
      const c = change as { field?: unknown; value?: { leadgen_id?: unknown } };
      if (c?.field !== 'leadgen') return;
      const id = c.value?.leadgen_id;
      if ((typeof id !== 'string' && typeof id !== 'number') || !/^\d{1,40}$/.test(String(id))) {
        throw invalidBody(`entry.${i}.changes.${j}.value.leadgen_id: must be a numeric id`);
      }
      ids.add(String(id));
    });
  });
  if (ids.size > MAX_CHANGES) throw invalidBody(`more than ${MAX_CHANGES} leadgen changes in one notification`);
  return [...ids];
}

/** A Graph lead's answers as fields: one value as itself, several as a list. */
function graphFields(lead: GraphLead): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const { name, values } of lead.field_data ?? []) {
    if (typeof name !== 'string') continue;
    fields[name] = values && values.length === 1 ? values[0] : (values ?? null);
  }
  for (const key of GRAPH_LEAD_FIELDS) if (lead[key] !== undefined && fields[key] === undefined) fields[key] = lead[key];
  return fields;
}

/** Meta Lead Ads: a signed `leadgen` notification names leads, each fetched from the Graph API. */
export const metaLeadAdsModule: SourceModule<MetaConfig, MetaCredentials> = {
  type: 'meta_lead_ads',
  configSchema: metaConfigSchema,
  credentialsSchema: metaCredentialsSchema,
  methods: ['GET', 'POST'],
  defaultRateLimitPerMinute: 6000,
  acceptedStatus: 200,
  maxBodyBytes: 1024 * 1024,
  receive(req, { credentials }) {
    if (req.method === 'GET') return handshake(req.query, credentials.verifyToken);
    // Against the bytes received, before anything is parsed or stored.
    assertHubSignature(req.rawBody, req.headers['x-hub-signature-256'], credentials.appSecret);
    return { kind: 'fetch', refs: leadgenIds(parseJsonObject(req.rawBody)) };
  },
  async fetchLead(leadgenId, { config, credentials, allowPrivateNetworks }, receivedAt) {
    const lead = await fetchGraphLead({
      baseUrl: config.graphBaseUrl,
      version: config.graphVersion,
      leadgenId,
      accessToken: credentials.pageAccessToken,
      allowPrivateNetworks,
    });
    const roleOf = (name: string) => (GRAPH_LEAD_FIELDS.has(name) ? 'standard' : commonRoleOf(name));
    return buildLead({ providerType: 'meta_lead_ads', providerLeadId: leadgenId, fields: graphFields(lead), roleOf, receivedAt });
  },
};
