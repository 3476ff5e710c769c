import type { CrmModule } from '../contract';
import { customConfigSchema, customCredentialsSchema, type CustomConfig, type CustomCredentials } from './config';
import { CustomAdapter, classifyCustomError } from './custom-adapter';

/** Any REST endpoint: the mapped lead as JSON, with an Idempotency-Key. */
export const customModule: CrmModule<'custom', CustomConfig, CustomCredentials> = {
  type: 'custom',
  displayName: 'Custom',
  configSchema: customConfigSchema,
  credentialsSchema: customCredentialsSchema,
  // An endpoint may need no auth at all.
  defaultCredentials: { type: 'none' },
  // Without a mapping the custom endpoint receives the lead's data unchanged.
  defaultMapping: [],
  urlsOf: (config) => [config.url],
  createAdapter: ({ config, credentials, network }) => new CustomAdapter(config, credentials, network),
  classifyError: classifyCustomError,
};
