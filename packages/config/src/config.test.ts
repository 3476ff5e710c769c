import { ConfigError, DEV_ENCRYPTION_KEY, loadConfig } from './index';

describe('loadConfig', () => {
  it('applies the defaults of API.md with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/crm_push',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RETRY_ATTEMPTS: 3,
      RETRY_BASE_MS: 1000,
      RETRY_MAX_MS: 15000,
      SWEEP_EVERY_MS: 300000,
      SWEEP_MAX: 12,
      ALLOW_PRIVATE_DESTINATIONS: false,
      LOG_LEVEL: 'info',
      adminTokenGenerated: true,
      encryptionKeyIsDevKey: true,
      ENCRYPTION_KEY: DEV_ENCRYPTION_KEY,
    });
    expect(config.ADMIN_TOKEN.length).toBeGreaterThanOrEqual(16);
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '8080', RETRY_ATTEMPTS: '5', ALLOW_PRIVATE_DESTINATIONS: 'true' });
    expect(config).toMatchObject({ PORT: 8080, RETRY_ATTEMPTS: 5, ALLOW_PRIVATE_DESTINATIONS: true });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ENCRYPTION_KEY: 'short', REDIS_URL: 'http://x', RETRY_BASE_MS: '20000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['ENCRYPTION_KEY', 'PORT', 'REDIS_URL']);
  });

  it('refuses a base delay above the cap, naming RETRY_BASE_MS', () => {
    expect(() => loadConfig({ RETRY_BASE_MS: '20000' })).toThrow(/RETRY_BASE_MS must not exceed RETRY_MAX_MS/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ SMTP_URL: '', PORT: '' }).PORT).toBe(3000);
  });
});
