import { ConfigError, DEV_ENCRYPTION_KEY, loadConfig } from './index';

describe('loadConfig', () => {
  it('applies the defaults of docs/api.md with an empty environment', () => {
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

  it('parses the scaling settings: cluster seeds, queue prefix and shards, pool size, retention', () => {
    expect(loadConfig({})).toMatchObject({ QUEUE_SHARDS: 1, DATABASE_POOL_SIZE: 10, ATTEMPT_RETENTION_DAYS: 30 });
    const config = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, [::1]:7001', QUEUE_PREFIX: 'acme', QUEUE_SHARDS: '3', DATABASE_POOL_SIZE: '4' });
    expect(config).toMatchObject({ REDIS_CLUSTER_NODES: ['127.0.0.1:7000', '[::1]:7001'], QUEUE_PREFIX: 'acme', QUEUE_SHARDS: 3, DATABASE_POOL_SIZE: 4 });
  });

  it('refuses cluster seeds without a port and prefixes that would break hash tags', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a' })).toThrow(/REDIS_CLUSTER_NODES each seed must be host:port/);
    expect(() => loadConfig({ QUEUE_PREFIX: '{crm}' })).toThrow(/QUEUE_PREFIX must be/);
    expect(() => loadConfig({ QUEUE_SHARDS: '0' })).toThrow(/QUEUE_SHARDS/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ SMTP_URL: '', PORT: '' }).PORT).toBe(3000);
  });
});
