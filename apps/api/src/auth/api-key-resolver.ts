import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@crm-push/db';
import type { RedisConnection } from '@crm-push/queue';
import type { Logger } from 'pino';

const KEY_PREFIX = 'cpk_';

/** What a key may do: `full` the whole /v1 surface of its account, `ingest` only POST /v1/leads. */
export const API_KEY_SCOPES = ['full', 'ingest'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Every api process listens here; a revocation publishes the key's id. */
export const KEY_REVOKED_CHANNEL = 'crm-push:api-key-revoked';

export function newApiKey(): { key: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface ResolvedKey {
  keyId: string;
  accountId: string;
  scope: ApiKeyScope;
}

/** Known keys stay cached this long: a producer's every request needs its account. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;
/** lastUsedAt is a hint for humans, so one write a minute per key and process is plenty. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * Turns an API key into its account, with a per-process cache that a revocation empties at
 * once on every api process: DELETE /v1/api-keys/:id publishes the key's id on Redis and each
 * process's subscriber evicts it. The cache is only used while this process's subscription is
 * live; while it is not (Redis down, reconnecting) every request reads PostgreSQL, and the
 * cache starts empty again once the subscription is back, so no revocation can be missed.
 */
export class ApiKeyResolver {
  private readonly cache = new Map<string, ResolvedKey & { until: number }>();
  private readonly lastUsedWrites = new Map<string, number>();
  /** Bumped by every revocation seen; a lookup that overlapped one is not cached. */
  private revocations = 0;
  private listening = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly subscriber?: RedisConnection,
  ) {
    if (!subscriber) return;
    subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === KEY_REVOKED_CHANNEL) this.evict(keyId);
    });
    const stopListening = () => {
      this.listening = false;
      this.cache.clear();
    };
    subscriber.on('close', stopListening);
    subscriber.on('reconnecting', stopListening);
    // ioredis subscribes again by itself after a reconnect; `ready` follows that.
    subscriber.on('ready', () => void this.subscribe());
    if (subscriber.status === 'ready') void this.subscribe();
  }

  /** A key this process resolved recently and that is not revoked; no I/O. */
  cached(key: string): ResolvedKey | undefined {
    const hit = this.listening ? this.cache.get(hashApiKey(key)) : undefined;
    if (!hit || hit.until < Date.now()) return undefined;
    this.touch(hit.keyId);
    return hit;
  }

  /** The key's account and scope, from the cache or PostgreSQL; undefined for an unknown or revoked key. */
  async resolve(key: string): Promise<ResolvedKey | undefined> {
    const cached = this.cached(key);
    if (cached) return cached;
    const hash = hashApiKey(key);
    const seen = this.revocations;
    const found = await this.db.apiKey.findFirst({ where: { keyHash: hash, revokedAt: null }, select: { id: true, accountId: true, scope: true } });
    if (!found) return undefined;
    const resolved: ResolvedKey = { keyId: found.id, accountId: found.accountId, scope: found.scope as ApiKeyScope };
    if (this.listening && seen === this.revocations) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, { ...resolved, until: Date.now() + CACHE_TTL_MS });
    }
    this.touch(found.id);
    return resolved;
  }

  /**
   * Tells every api process (this one included) that a key was revoked. The revocation is
   * already committed; a process that cannot be told because Redis is unreachable has lost its
   * subscription too and is not using its cache.
   */
  async announceRevocation(keyId: string, publisher: RedisConnection): Promise<void> {
    this.evict(keyId);
    try {
      await publisher.publish(KEY_REVOKED_CHANNEL, keyId);
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, keyId },
        'could not announce an API key revocation on Redis; processes subscribed elsewhere keep it cached for up to a minute',
      );
    }
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber!.subscribe(KEY_REVOKED_CHANNEL);
      this.cache.clear();
      this.listening = true;
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message },
        'could not subscribe to API key revocations; API keys are read from PostgreSQL on every request until it works',
      );
    }
  }

  private evict(keyId: string): void {
    this.revocations++;
    for (const [hash, entry] of this.cache) if (entry.keyId === keyId) this.cache.delete(hash);
  }

  private touch(keyId: string): void {
    const now = Date.now();
    if ((this.lastUsedWrites.get(keyId) ?? 0) > now - LAST_USED_EVERY_MS) return;
    if (this.lastUsedWrites.size >= CACHE_MAX) this.lastUsedWrites.delete(this.lastUsedWrites.keys().next().value!);
    this.lastUsedWrites.set(keyId, now);
    this.db.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } }).catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message, keyId }, 'could not record when an API key was last used');
    });
  }
}
