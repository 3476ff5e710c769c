import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { CrmError, networkError } from './crm-error';

/** Address ranges no destination may reach unless ALLOW_PRIVATE_DESTINATIONS is set, by reason. */
const BLOCKED_RANGES: [reason: string, ranges: [network: string, prefix: number][]][] = [
  [
    'a loopback address',
    [
      ['127.0.0.0', 8],
      ['::1', 128],
    ],
  ],
  [
    'an unspecified address',
    [
      ['0.0.0.0', 8],
      ['::', 128],
    ],
  ],
  [
    'a private network address',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  ],
  // Includes 169.254.169.254, the cloud metadata service.
  [
    'a link-local address',
    [
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ],
  ],
  ['a carrier-grade NAT address', [['100.64.0.0', 10]]],
  [
    'a multicast or broadcast address',
    [
      ['224.0.0.0', 4],
      ['255.255.255.255', 32],
      ['ff00::', 8],
    ],
  ],
  [
    'a reserved address',
    [
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
      ['100::', 64],
      ['2001:db8::', 32],
      ['64:ff9b:1::', 48],
    ],
  ],
];

// One BlockList per reason, so the error can say why. BlockList also matches IPv4 rules against
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.1).
const BLOCK_LISTS = BLOCKED_RANGES.map(([reason, ranges]) => {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { reason, list };
});

const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

/** The IPv4 address inside a NAT64 address (64:ff9b::a00:1 → 10.0.0.1), from its canonical form. */
function nat64Embedded(address: string): string {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [high, low] = canonical
    .split(':')
    .slice(-2)
    .map((h) => parseInt(h || '0', 16));
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why an IP address may not be reached, or null when it is a public address. */
export function blockedAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (type === 'ipv6' && NAT64.check(address, 'ipv6')) return blockedAddressReason(nat64Embedded(address));
  return BLOCK_LISTS.find(({ list }) => list.check(address, type))?.reason ?? null;
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
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The refusal of a host on a blocked network (non-retryable, naming the host, never the URL). */
export function destinationNotAllowed(host: string, why: string): CrmError {
  return new CrmError({
    code: 'DESTINATION_NOT_ALLOWED',
    retryable: false,
    message: `destination host "${host}" is not allowed: ${why}`,
  });
}

/**
 * Throws a non-retryable CrmError (DESTINATION_NOT_ALLOWED, naming the host) unless `url` is http(s)
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
}
