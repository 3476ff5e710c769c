import type { LookupAll } from '../network-guard';

/**
 * A resolver answering from a table (read at each lookup, so a test may change it), recording
 * every name it was asked: DNS-dependent paths run without any network.
 */
export function fakeLookup(table: Record<string, string[]>): LookupAll & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    return addresses.map((address) => ({ address }));
  };
  return Object.assign(lookup, { asked });
}
