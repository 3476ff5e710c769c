import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { DeliveryError, networkError } from './delivery-error';

/** Why each special range ipaddr.js names may not be reached; any range but `unicast` is refused. */
const RANGE_REASONS: Record<string, string> = {
  loopback: 'a loopback address',
  unspecified: 'an unspecified address',
  private: 'a private network address',
  uniqueLocal: 'a private network address',
  deprecatedSiteLocal: 'a private network address',
  // Includes 169.254.169.254, the cloud metadata service.
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast or broadcast address',
  broadcast: 'a multicast or broadcast address',
  // Transition ranges that tunnel to an IPv4 address of the relay's choosing.
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** Why an IP address may not be reached, or null when it is a public address. */
export function blockedAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const parts = v6.parts;
    // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address inside.
    if (v6.isIPv4MappedAddress() || (v6.range() === 'rfc6052' && parts[1] === 0xff9b && parts[2] === 0)) {
      return blockedAddressReason(`${parts[6] >> 8}.${parts[6] & 255}.${parts[7] >> 8}.${parts[7] & 255}`);
    }
    // ::a.b.c.d (IPv4-compatible, deprecated): some stacks still route it to the IPv4 address.
    if (parts.slice(0, 6).every((p) => p === 0) && v6.range() !== 'loopback' && v6.range() !== 'unspecified') {
      return 'an IPv4-compatible address';
    }
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  return RANGE_REASONS[range] ?? `a reserved address (${range})`;
}

/** Longest URL accepted in a destination or webhook config. */
const MAX_URL_LENGTH = 2048;

/**
 * Null when `url` is an acceptable shape for a destination or webhook; otherwise the reason, for zod
 * refinements. Messages never repeat the URL, which may carry a token in its query.
 */
export function urlShapeProblem(url: string): string | null {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must use http or https';
  if (parsed.username || parsed.password) return 'must not contain a user name or password (use the credentials fields)';
  if (!parsed.hostname) return 'must name a host';
  return null;
}

export type LookupAll = (hostname: string) => Promise<{ address: string }[]>;

export interface GuardOptions {
  /** ALLOW_PRIVATE_DESTINATIONS: loopback and private networks allowed. */
  allowPrivateNetworks: boolean;
  /** Name resolution; defaults to dns.lookup with every address, as the HTTP clients resolve. */
  lookup?: LookupAll;
  /** Names that resolved only to public addresses a moment ago: passed without another lookup. */
  recentlyAllowed?: { has(name: string): boolean; set(name: string, allowed: true): unknown };
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The refusal of a host on a blocked network (non-retryable, naming the host, never the URL). */
export function destinationNotAllowed(host: string, why: string): DeliveryError {
  return new DeliveryError({
    code: 'DESTINATION_NOT_ALLOWED',
    retryable: false,
    message: `destination host "${host}" is not allowed: ${why}`,
  });
}

/**
 * Throws a non-retryable DeliveryError (DESTINATION_NOT_ALLOWED, naming the host) unless `url` is http(s)
 * and, when private networks are not allowed, its host is and resolves only to public addresses.
 * A failed lookup throws the retryable network error the request itself would have.
 */
export async function assertUrlAllowed(url: string, opts: GuardOptions): Promise<void> {
  const problem = urlShapeProblem(url);
  if (problem) {
    let host = 'unknown';
    try {
      host = new URL(url).hostname || host;
    } catch {
      // an unparseable URL keeps the placeholder host
    }
    throw destinationNotAllowed(host, `the URL ${problem}`);
  }
  if (opts.allowPrivateNetworks) return;
  const host = new URL(url).hostname;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare)) {
    const reason = blockedAddressReason(bare);
    if (reason) throw destinationNotAllowed(host, `it is ${reason}`);
    return;
  }
  // RFC 6761: *.localhost is loopback, though glibc will not resolve it; "localhost" itself resolves.
  const name = bare.replace(/\.$/, '');
  if (name.endsWith('.localhost')) throw destinationNotAllowed(host, 'it is a loopback address');
  if (opts.recentlyAllowed?.has(name)) return;
  let addresses: { address: string }[];
  try {
    addresses = await (opts.lookup ?? defaultLookup)(name);
  } catch (err) {
    throw networkError(err) ?? err;
  }
  // Fail closed: a resolver answering nothing gives the request no address we have vetted.
  if (addresses.length === 0) throw destinationNotAllowed(host, 'it resolves to no address');
  for (const { address } of addresses) {
    const reason = blockedAddressReason(address);
    if (reason) throw destinationNotAllowed(host, `it resolves to ${address}, ${reason}`);
  }
  opts.recentlyAllowed?.set(name, true);
}
