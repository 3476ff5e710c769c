import { z } from 'zod';
import { baseConfigShape } from '../base-config';
import { parseFields } from '../body/parse-body';
import type { SourceModule } from '../contract';
import { buildLead, clean, type CoreField, type FieldRole } from '../normalise';
import { secretsEqual } from '../secret-compare';
import { invalidBody, SourceError } from '../source-error';

export const googleConfigSchema = z
  .object({
    ...baseConfigShape,
    /** Push the test leads Google's "send test data" button sends [false: stored, not pushed]. */
    pushTestLeads: z.boolean().default(false),
  })
  .strict();
export const googleCredentialsSchema = z.object({ googleKey: z.string().min(1).max(500) }).strict();

/** Google's standard column ids, by the slot they fill; other standard ones are kept but not custom. */
const CORE_COLUMNS: Record<string, CoreField> = {
  FULL_NAME: 'fullName',
  FIRST_NAME: 'firstName',
  LAST_NAME: 'lastName',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phoneNumber',
  WORK_PHONE: 'phoneNumber',
  COMPANY_NAME: 'company',
};
const STANDARD_COLUMNS = new Set(['JOB_TITLE', 'CITY', 'REGION', 'COUNTRY', 'POSTAL_CODE', 'STREET_ADDRESS']);
/** Lead facts outside user_column_data, kept in rawFieldData. */
const LEAD_FACTS = ['form_id', 'campaign_id', 'adgroup_id', 'creative_id', 'gcl_id', 'api_version', 'asset_group_id'];

const columnSchema = z.object({
  column_id: z.string().min(1).max(200),
  column_name: z.string().max(500).optional(),
  string_value: z.string().max(10_000).optional(),
});
const googleLeadSchema = z.object({
  lead_id: z.string().trim().min(1).max(500),
  google_key: z.string().optional(),
  is_test: z.boolean().optional(),
  user_column_data: z.array(columnSchema).max(500).default([]),
});

/** Google Ads lead form webhook: JSON authenticated by the advertiser's google_key. */
export const googleAdsModule: SourceModule<z.infer<typeof googleConfigSchema>, z.infer<typeof googleCredentialsSchema>> = {
  type: 'google_ads',
  configSchema: googleConfigSchema,
  credentialsSchema: googleCredentialsSchema,
  methods: ['POST'],
  defaultRateLimitPerMinute: 6000,
  acceptedStatus: 200,
  maxBodyBytes: 256 * 1024,
  async receive(req, { credentials }) {
    const { fields: body } = await parseFields(req.rawBody, req.headers['content-type'], ['json']);
    if (!secretsEqual(typeof body.google_key === 'string' ? body.google_key : undefined, credentials.googleKey)) {
      throw new SourceError({ status: 403, code: 'INVALID_GOOGLE_KEY', message: 'google_key does not match the source' });
    }
    const parsed = googleLeadSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
    const fields: Record<string, unknown> = {};
    const roles = new Map<string, FieldRole>();
    for (const column of parsed.data.user_column_data) {
      const core = CORE_COLUMNS[column.column_id];
      const standard = core !== undefined || STANDARD_COLUMNS.has(column.column_id);
      // A custom question is known by its text; a standard column by its id.
      const name = standard ? column.column_id : (clean(column.column_name) ?? column.column_id);
      fields[name] = column.string_value ?? null;
      roles.set(name, core ?? (standard ? 'standard' : undefined));
    }
    for (const fact of LEAD_FACTS) {
      if (body[fact] !== undefined && fields[fact] === undefined) {
        fields[fact] = body[fact];
        roles.set(fact, 'standard');
      }
    }
    const lead = buildLead({
      providerType: 'google_ads',
      providerLeadId: parsed.data.lead_id,
      fields,
      roleOf: (name) => roles.get(name),
      receivedAt: req.receivedAt,
      test: parsed.data.is_test === true,
    });
    return { kind: 'leads', leads: [lead] };
  },
};
