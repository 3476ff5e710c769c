import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { blockedAddressReason, destinationNotAllowed } from './network-guard';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Resolves like dns.lookup, then refuses private, loopback and link-local answers. Used as the
 * socket's own lookup, it closes the gap assertUrlAllowed leaves: a name re-resolved between
 * the check and the connection (DNS rebinding) is vetted again at connect time.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const blocked = addresses.find((a) => blockedAddressReason(a.address));
    if (blocked) {
      return callback(
        destinationNotAllowed(hostname, `it resolves to ${blocked.address}, ${blockedAddressReason(blocked.address)}`) as NodeJS.ErrnoException,
        [],
      );
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * undici's connector with the guard: names go through guardedLookup, and IP literals (which
 * never reach a lookup) are vetted here, so no socket opens to a blocked address.
 */
function guardedConnector(): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup });
  return (options, callback) => {
    const host = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname;
    const reason = isIP(host) ? blockedAddressReason(host) : null;
    if (reason) return callback(destinationNotAllowed(options.hostname, `it is ${reason}`), null);
    return connect(options, callback);
  };
}

/**
 * The keep-alive pool for calls to destinations (~2x the throughput of fetch). undici's Agent
 * never follows redirects (that takes an interceptor this project does not install).
 */
export function createDispatcher(allowPrivateNetworks: boolean): Dispatcher {
  const pool = { keepAliveTimeout: 10_000, connections: 64 };
  return allowPrivateNetworks ? new Agent(pool) : new Agent({ ...pool, connect: guardedConnector() });
}
