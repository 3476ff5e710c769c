import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatchers';
import { assertUrlAllowed, type LookupAll } from './network-guard';

/**
 * Where outbound calls may go, decided once per process from ALLOW_PRIVATE_DESTINATIONS and passed
 * in deps: the save-time and call-time URL check, and the dispatcher every transport sends through.
 */
export interface NetworkPolicy {
  /** ALLOW_PRIVATE_DESTINATIONS: loopback and private networks allowed. */
  readonly allowPrivateNetworks: boolean;
  /**
   * Throws a non-retryable DeliveryError (DESTINATION_NOT_ALLOWED, naming the host) unless the URL
   * is http(s) and, when private networks are not allowed, resolves only to public addresses.
   */
  assertUrlAllowed(url: string): Promise<void>;
  /** Vets every address again at connect time (IP literals included); never follows redirects. */
  readonly dispatcher: Dispatcher;
}

export interface NetworkPolicyOptions {
  allowPrivateNetworks: boolean;
  /** Name resolution for the URL check; defaults to dns.lookup with every address. */
  lookup?: LookupAll;
}

export function createNetworkPolicy(opts: NetworkPolicyOptions): NetworkPolicy {
  const dispatcher = createDispatcher(opts.allowPrivateNetworks);
  return {
    allowPrivateNetworks: opts.allowPrivateNetworks,
    assertUrlAllowed: (url) => assertUrlAllowed(url, opts),
    dispatcher,
  };
}

/** The policy a process runs with, from its parsed config. */
export function networkPolicyFromConfig(config: { ALLOW_PRIVATE_DESTINATIONS: boolean }): NetworkPolicy {
  return createNetworkPolicy({ allowPrivateNetworks: config.ALLOW_PRIVATE_DESTINATIONS });
}
