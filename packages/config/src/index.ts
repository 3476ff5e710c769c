import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A dev-only key: anyone reading the source can decrypt what it protects, hence the warning. */
export const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 'crm-push-dev-key').toString('base64');

const booleanString = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();

/** The environment of docs/api.md, parsed once at boot. Every variable is optional. */
export const envSchema = z
  .object({
    /** The api's port. @defaultValue 3000 */
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** PostgreSQL; `npm start` creates the database and applies migrations if needed. */
    DATABASE_URL: z
      .string()
      .url()
      .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/crm_push'),
    /** Redis for BullMQ, lanes, push rounds and throttles (a single server; see REDIS_CLUSTER_NODES). */
    REDIS_URL: z
      .string()
      .url()
      .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    /**
     * Comma-separated `host:port` seeds of a Redis Cluster; when set, every Redis user runs on
     * the cluster and REDIS_URL is ignored.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'each seed must be host:port')).min(1, 'must name at least one host:port'))
      .optional(),
    /**
     * BullMQ key prefix; on a cluster (or with shards) each queue's keys carry a hash tag made
     * from it. Unset on a single Redis with one shard keeps BullMQ's `bull:` keys. @defaultValue crm-push
     */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore')
      .optional(),
    /** Shards of the delivery and action queues, by destination id. @defaultValue 1 */
    QUEUE_SHARDS: positiveInt.max(256).default(1),
    /** PostgreSQL connections per process (size it for PgBouncer when one is in front). @defaultValue 10 */
    DATABASE_POOL_SIZE: positiveInt.max(1000).default(10),
    /** Attempt-log rows and finished operations older than this many days are trimmed. @defaultValue 30 */
    ATTEMPT_RETENTION_DAYS: positiveInt.default(30),
    /** Generated (and printed once by the api) when unset. */
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** 32-byte key (base64) for destination credentials at rest; unset uses a dev key and warns loudly. */
    ENCRYPTION_KEY: z
      .string()
      .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
    /** Retries after the first attempt. @defaultValue 3 */
    RETRY_ATTEMPTS: nonNegativeInt.max(100).default(3),
    /** First backoff delay; later ones grow exponentially up to RETRY_MAX_MS. @defaultValue 1000 */
    RETRY_BASE_MS: positiveInt.default(1000),
    /** Cap of one backoff delay, a 429's Retry-After included. @defaultValue 15000 */
    RETRY_MAX_MS: positiveInt.default(15000),
    /** Period of the scheduled re-sweep of failed and lost deliveries. @defaultValue 300000 */
    SWEEP_EVERY_MS: positiveInt.default(300000),
    /** Sweeps a delivery gets before it stays failed for good. @defaultValue 12 */
    SWEEP_MAX: nonNegativeInt.default(12),
    /** Allow destination and webhook URLs on loopback or private networks (development, on-premises CRMs). @defaultValue false */
    ALLOW_PRIVATE_DESTINATIONS: booleanString.default(false),
    /** SMTP server for flow email actions (smtp://127.0.0.1:2525); unset makes them fail with a clear error. */
    SMTP_URL: z
      .string()
      .url()
      .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
      .optional(),
    /** pino level of every process. @defaultValue info */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Requests per minute one account may make to /v1 on one api process; 0 = unlimited. @defaultValue 6000 */
    RATE_LIMIT_PER_MINUTE: nonNegativeInt.default(6000),
    /** Jobs a worker process runs at once. @defaultValue 20 */
    WORKER_CONCURRENCY: positiveInt.max(1000).default(20),
    /** Port of a worker process's own GET /metrics for Prometheus; 0 turns it off. @defaultValue 9464 */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    /**
     * How long a worker's lock on a running job lasts unless renewed (renewed every half of it).
     * A worker killed mid-call loses its jobs' locks after this; another worker then runs them
     * again (at most one extra call per in-flight delivery). @defaultValue 30000
     */
    WORKER_LOCK_MS: positiveInt.min(1000).default(30000),
    /** How often workers look for jobs whose lock expired (stalled jobs). @defaultValue 30000 */
    WORKER_STALLED_CHECK_MS: positiveInt.min(500).default(30000),
    /**
     * Leads older than this many days are erased, daily, by the maintenance worker (the same
     * erasure as DELETE /v1/leads/:id: data, deliveries, attempt log and jobs go, a tombstone
     * stays). Unset keeps leads forever. @defaultValue unset
     */
    LEAD_RETENTION_DAYS: positiveInt.max(36500).optional(),
    /** The externally reachable base URL (https://push.example.com); source ingest URLs are absolute when set. */
    PUBLIC_URL: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
      .optional(),
    /** Consecutive retryable failed calls (429s excepted) after which a destination pauses itself. @defaultValue 20 */
    PAUSE_AFTER_FAILURES: positiveInt.default(20),
    /** First cool-down of a paused destination before its probe; doubles up to PAUSE_MAX_COOLDOWN_MS. @defaultValue 30000 */
    PAUSE_COOLDOWN_MS: positiveInt.default(30000),
    /** Longest cool-down of a paused destination between probes. @defaultValue 3600000 */
    PAUSE_MAX_COOLDOWN_MS: positiveInt.default(3_600_000),
    /**
     * How long a Salesforce lane over its share of the daily allowance waits before one call
     * checks whether usage fell (the allowance is a rolling 24 h). @defaultValue 300000
     */
    DAILY_LIMIT_RECHECK_MS: positiveInt.default(300_000),
  })
  .refine((e) => e.RETRY_BASE_MS <= e.RETRY_MAX_MS, {
    path: ['RETRY_BASE_MS'],
    message: 'must not exceed RETRY_MAX_MS',
  });

type ParsedEnv = z.infer<typeof envSchema>;

export interface Config extends Omit<ParsedEnv, 'ADMIN_TOKEN' | 'ENCRYPTION_KEY'> {
  ADMIN_TOKEN: string;
  adminTokenGenerated: boolean;
  ENCRYPTION_KEY: string;
  encryptionKeyIsDevKey: boolean;
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`invalid environment: ${issues.map((i) => `${i.variable} ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), message: i.message })));
  }
  const { ADMIN_TOKEN, ENCRYPTION_KEY, ...rest } = parsed.data;
  return {
    ...rest,
    ADMIN_TOKEN: ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    adminTokenGenerated: ADMIN_TOKEN === undefined,
    ENCRYPTION_KEY: ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY,
    encryptionKeyIsDevKey: ENCRYPTION_KEY === undefined,
  };
}

/** For process entry points: a bad environment stops the process with a message naming the variable. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) console.error(`config error: ${issue.variable} ${issue.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export { createLogger, REDACT_PATHS, type Logger } from './logger';
export { withTimeout } from './with-timeout';
export { PROCESS_NODE_FLAGS } from './process-flags';
