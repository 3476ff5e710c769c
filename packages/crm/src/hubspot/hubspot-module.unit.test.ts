import { fieldMappingSchema } from '../mapping/field-rule';
import { DeliveryError } from '@crm-push/outbound';
import { hubspotModule } from './index';

describe('hubspotModule', () => {
  it('fills the config defaults and drops a trailing slash from the base URL', () => {
    expect(hubspotModule.configSchema.parse({})).toEqual({ baseUrl: 'https://api.hubapi.com', upsertBy: 'email', timeoutMs: 10000 });
    expect(hubspotModule.configSchema.parse({ baseUrl: 'http://127.0.0.1:9000/' }).baseUrl).toBe('http://127.0.0.1:9000');
  });

  it('refuses unknown config fields, a non-http base URL and empty credentials', () => {
    expect(hubspotModule.configSchema.safeParse({ apiKey: 'x' }).success).toBe(false);
    expect(hubspotModule.configSchema.safeParse({ baseUrl: 'ftp://example.com' }).success).toBe(false);
    expect(hubspotModule.credentialsSchema.safeParse({ accessToken: ' ' }).success).toBe(false);
    expect(hubspotModule.credentialsSchema.safeParse({ accessToken: 'pat-1', refreshToken: 'r' }).success).toBe(false);
  });

  it('names the base URL for the private-network guard', () => {
    const config = hubspotModule.configSchema.parse({ baseUrl: 'http://10.0.0.5' });
    expect(hubspotModule.urlsOf(config, { accessToken: 't' })).toEqual(['http://10.0.0.5']);
  });

  it('has a default mapping that is a valid FieldRule list onto HubSpot property names', () => {
    expect(fieldMappingSchema.safeParse(hubspotModule.defaultMapping).success).toBe(true);
    expect(hubspotModule.defaultMapping.map((r) => r.to)).toEqual(expect.arrayContaining(['email', 'firstname', 'lastname', 'company', 'phone']));
  });

  it('classifies an error that is neither HTTP nor network as not retryable, and passes a DeliveryError through', () => {
    expect(hubspotModule.classifyError(new TypeError('boom'))).toMatchObject({ code: 'HUBSPOT_CLIENT_ERROR', retryable: false, message: 'boom' });
    const known = new DeliveryError({ code: 'X', message: 'x', retryable: true });
    expect(hubspotModule.classifyError(known)).toBe(known);
  });
});
