import type { CrmModule } from '../contract';
import { customConfigSchema, customCredentialsSchema, type CustomConfig, type CustomCredentials } from './config';
import { CustomAdapter, classifyCustomError } from './custom-adapter';

/** Any REST endpoint: the mapped lead as JSON, with an Idempotency-Key. */
export const customModule: CrmModule<CustomConfig, CustomCredentials> = {
  type: 'custom',
  configSchema: customConfigSchema,
  credentialsSchema: customCredentialsSchema,
  // Without a mapping the custom endpoint receives the lead's data unchanged.
  defaultMapping: [],
  urlsOf: (config) => [config.url],
  createAdapter: ({ config, credentials, allowPrivateNetworks }) => new CustomAdapter(config, credentials, allowPrivateNetworks),
  classifyError: classifyCustomError,
};
