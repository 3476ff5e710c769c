import { fieldMappingSchema } from '../mapping/field-rule';
import { salesforceModule } from '.';

const parseConfig = (input: unknown) => salesforceModule.configSchema.safeParse(input);
const parseCredentials = (input: unknown) => salesforceModule.credentialsSchema.safeParse(input);

describe('Salesforce config and credentials', () => {
  it('fills the defaults and keeps only the origin of instanceUrl', () => {
    expect(salesforceModule.configSchema.parse({ instanceUrl: 'https://acme.my.salesforce.com/' })).toEqual({
      instanceUrl: 'https://acme.my.salesforce.com',
      apiVersion: '59.0',
      object: 'Lead',
      timeoutMs: 10000,
    });
  });

  it.each([
    [{ instanceUrl: 'ftp://acme.example' }, 'instanceUrl'],
    [{ instanceUrl: 'https://a.example', object: 'Lead/../../x' }, 'object'],
    [{ instanceUrl: 'https://a.example', externalIdField: 'Ext Id' }, 'externalIdField'],
    [{ instanceUrl: 'https://a.example', apiVersion: '42.0' }, 'apiVersion'],
    [{ instanceUrl: 'https://a.example', surprise: true }, ''],
  ])('refuses %j (naming %s)', (input, path) => {
    const parsed = parseConfig(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path.join('.')).toBe(path);
  });

  it('refuses a refresh token without the client id needed to use it', () => {
    const parsed = parseCredentials({ accessToken: 'a', refreshToken: 'r' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['clientId']);
  });

  it('accepts an access token alone', () => {
    expect(parseCredentials({ accessToken: 'a' }).success).toBe(true);
  });

  it('names instanceUrl and the token URL for the private-network guard', () => {
    const config = salesforceModule.configSchema.parse({ instanceUrl: 'https://acme.my.salesforce.com' });
    expect(salesforceModule.urlsOf(config, { accessToken: 'a' })).toEqual([
      'https://acme.my.salesforce.com',
      'https://acme.my.salesforce.com/services/oauth2/token',
    ]);
    expect(salesforceModule.urlsOf(config, { accessToken: 'a', tokenUrl: 'https://login.salesforce.com/services/oauth2/token' })).toEqual([
      'https://acme.my.salesforce.com',
      'https://login.salesforce.com/services/oauth2/token',
    ]);
  });

  it('maps the Lead fields Salesforce requires, with defaults', () => {
    const byTarget = new Map(salesforceModule.defaultMapping.map((r) => [r.to, r]));
    expect(byTarget.get('LastName')).toMatchObject({ from: expect.stringContaining('data.lastName'), default: 'Unknown' });
    expect(byTarget.get('Company')).toMatchObject({ from: 'company', default: 'Unknown' });
    expect(byTarget.get('Email')).toMatchObject({ from: 'email' });
    expect(fieldMappingSchema.safeParse(salesforceModule.defaultMapping).success).toBe(true);
  });
});
