import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'express';
import type { RedisConnection } from '@crm-push/queue';
import type { Logger } from 'pino';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error';

export interface AuthThrottleOptions {
  /** Failures from one address answered at full speed, within `windowSeconds`. @defaultValue 10 */
  freeFailures?: number;
  /** How long each further failure waits before its 401. @defaultValue 500 */
  slowDownMs?: number;
  /** The failure count at which the address is refused with 429. @defaultValue 20 */
  refuseAfter?: number;
  /** The window failures are counted in. @defaultValue 600 (10 minutes) */
  windowSeconds?: number;
  /** How long a refused address stays refused. @defaultValue 900 (15 minutes) */
  refuseForSeconds?: number;
}

/** Between two warnings that Redis is unreachable, so an outage does not flood the log. */
const WARN_EVERY_MS = 10_000;

/**
 * Slows and then refuses repeated authentication failures (API keys, the admin bearer, the
 * admin login form) from one client address. The count lives in Redis, so every api process
 * shares it; each address has its own, so one address's failures never refuse another.
 * Successes are neither counted nor slowed. When Redis is unreachable authentication goes on
 * unthrottled (fail open, logged): refusing every producer would be worse than a slower guard.
 */
export class AuthThrottle {
  private readonly limiter: RateLimiterRedis;
  private readonly freeFailures: number;
  private readonly slowDownMs: number;
  private lastWarning = 0;

  constructor(
    redis: RedisConnection,
    private readonly logger: Logger,
    opts: AuthThrottleOptions = {},
  ) {
    this.freeFailures = opts.freeFailures ?? 10;
    this.slowDownMs = opts.slowDownMs ?? 500;
    const refuseAfter = opts.refuseAfter ?? 20;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: false,
      keyPrefix: 'crm-push:auth-failures',
      // `points` failures pass; the one after them blocks the address for blockDuration.
      points: refuseAfter - 1,
      duration: opts.windowSeconds ?? 600,
      blockDuration: opts.refuseForSeconds ?? 900,
      rejectIfRedisNotReady: true,
    });
  }

  /**
   * Runs `verify` for a request's credentials unless its address is refused (429). A failed
   * verification (undefined) is counted, slowed past the free ones, and may itself be the one
   * that gets the address refused.
   */
  async verify<T>(req: Request, verify: () => T | undefined | Promise<T | undefined>): Promise<T | undefined> {
    const address = clientAddress(req);
    await this.refuseIfBlocked(address);
    const value = await verify();
    if (value !== undefined) return value;
    await this.countFailure(address);
    return undefined;
  }

  private async refuseIfBlocked(address: string): Promise<void> {
    let state: RateLimiterRes | null;
    try {
      state = await this.limiter.get(address);
    } catch (err) {
      return this.failOpen(err);
    }
    if (state && state.consumedPoints > this.limiter.points) throw refused(state.msBeforeNext);
  }

  private async countFailure(address: string): Promise<void> {
    let failures: number;
    try {
      failures = (await this.limiter.consume(address)).consumedPoints;
    } catch (err) {
      if (err instanceof RateLimiterRes) throw refused(err.msBeforeNext);
      return this.failOpen(err);
    }
    if (failures > this.freeFailures) await sleep(this.slowDownMs);
  }

  private failOpen(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn({ err: (err as Error)?.message ?? String(err) }, 'authentication throttling is off: RedisConnection is unreachable');
  }
}

/** The peer address ('trust proxy' is off, so X-Forwarded-For cannot choose it); IPv4-mapped IPv6 as IPv4. */
export function clientAddress(req: Request): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function refused(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, 'TOO_MANY_AUTH_FAILURES', `too many failed authentication attempts from this address; retry in ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
}
