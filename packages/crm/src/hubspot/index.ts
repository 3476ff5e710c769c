import type { CrmModule } from '../contract';
import { classifyHubSpotError } from './classify-error';
import { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from './config';
import { hubspotDefaultMapping } from './default-mapping';
import { HubSpotAdapter } from './hubspot-adapter';

/** HubSpot CRM contacts through @hubspot/api-client, with the queue as the only retry owner. */
export const hubspotModule: CrmModule<'hubspot', HubSpotConfig, HubSpotCredentials> = {
  type: 'hubspot',
  displayName: 'HubSpot',
  configSchema: hubspotConfigSchema,
  credentialsSchema: hubspotCredentialsSchema,
  defaultMapping: hubspotDefaultMapping,
  urlsOf: (config) => [config.baseUrl],
  createAdapter: ({ config, credentials, network }) => new HubSpotAdapter(config, credentials, network),
  classifyError: classifyHubSpotError,
};

export { HubSpotAdapter } from './hubspot-adapter';
export { classifyHubSpotError, DAILY_LIMIT_RETRY_AFTER_MS } from './classify-error';
export { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from './config';
export { hubspotDefaultMapping } from './default-mapping';
