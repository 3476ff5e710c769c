import { LRUCache } from 'lru-cache';
import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatchers';
import { assertUrlAllowed, type LookupAll } from './network-guard';

/**
 * How long a name that resolved only to public addresses passes the call-time check without
 * another lookup. Every delivery checks its destination's URLs before calling, and glibc caches
 * nothing: without this, each one was a getaddrinfo on libuv's 4-thread pool and a query to the
 * resolver. Safe to skip for a while because the dispatcher vets every address again at connect
 * time: a name that turns private meanwhile is refused there, only not before the call.
 * Refusals and failed lookups are never remembered, so they still fail before any call.
 */
const ALLOWED_NAME_TTL_MS = 30_000;
const ALLOWED_NAMES_MAX = 10_000;

/**
 * Where outbound calls may go, decided once per process from ALLOW_PRIVATE_DESTINATIONS and passed
 * in deps: the save-time and call-time URL check, and the dispatcher every transport sends through.
 */
export interface NetworkPolicy {
  /** ALLOW_PRIVATE_DESTINATIONS: loopback and private networks allowed. */
  readonly allowPrivateNetworks: boolean;
  /**
   * Throws a non-retryable DeliveryError (DESTINATION_NOT_ALLOWED, naming the host) unless the URL
   * is http(s) and, when private networks are not allowed, resolves only to public addresses
   * (a name found public within ALLOWED_NAME_TTL_MS is not looked up again).
   */
  assertUrlAllowed(url: string): Promise<void>;
  /** Vets every address again at connect time (IP literals included); never follows redirects. */
  readonly dispatcher: Dispatcher;
}

export interface NetworkPolicyOptions {
  allowPrivateNetworks: boolean;
  /** Name resolution for the URL check; defaults to dns.lookup with every address. */
  lookup?: LookupAll;
  /** How long a name found public passes the URL check without a lookup. @defaultValue 30 s */
  allowedNameTtlMs?: number;
}

export function createNetworkPolicy(opts: NetworkPolicyOptions): NetworkPolicy {
  const dispatcher = createDispatcher(opts.allowPrivateNetworks);
  const recentlyAllowed = new LRUCache<string, true>({ max: ALLOWED_NAMES_MAX, ttl: opts.allowedNameTtlMs ?? ALLOWED_NAME_TTL_MS });
  const guard = { ...opts, recentlyAllowed };
  return {
    allowPrivateNetworks: opts.allowPrivateNetworks,
    assertUrlAllowed: (url) => assertUrlAllowed(url, guard),
    dispatcher,
  };
}

/** The policy a process runs with, from its parsed config. */
export function networkPolicyFromConfig(config: { ALLOW_PRIVATE_DESTINATIONS: boolean }): NetworkPolicy {
  return createNetworkPolicy({ allowPrivateNetworks: config.ALLOW_PRIVATE_DESTINATIONS });
}
