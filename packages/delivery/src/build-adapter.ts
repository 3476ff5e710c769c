import { assertUrlAllowed, CrmError, crmModule, type CrmAdapter, type CrmModule, type TestResult } from '@crm-push/crm';
import type { DeliveryDeps } from './deps';

export interface DestinationRow {
  id: string;
  type: string;
  config: unknown;
  credentials: string | null;
}

export interface BuiltAdapter {
  crm: CrmModule;
  adapter: CrmAdapter;
  config: unknown;
  /** Every URL the adapter will call, for the private-network guard. */
  urls: string[];
}

/**
 * A fresh adapter for one destination (adapters are never shared between jobs). A CRM that
 * rotates a token gets it stored, encrypted, on the destination.
 */
export function buildAdapter(deps: DeliveryDeps, destination: DestinationRow): BuiltAdapter {
  const crm = crmModule(destination.type);
  const config = parseOrThrow(crm.configSchema, destination.config, 'config');
  const credentials = parseOrThrow(crm.credentialsSchema, destination.credentials ? openCredentials(deps, destination.credentials) : {}, 'credentials');
  const adapter = crm.createAdapter({
    config,
    credentials,
    allowPrivateNetworks: deps.config.ALLOW_PRIVATE_DESTINATIONS,
    hooks: {
      onCredentialsChanged: async (next) => {
        await deps.db.destination.update({ where: { id: destination.id }, data: { credentials: deps.secrets.seal(next) } });
      },
    },
  });
  return { crm, adapter, config, urls: crm.urlsOf(config, credentials) };
}

/** POST /v1/destinations/:id/test: a real, side-effect-free call; never throws. */
export async function testConnection(deps: DeliveryDeps, destination: DestinationRow): Promise<TestResult> {
  try {
    const { adapter, urls } = buildAdapter(deps, destination);
    for (const url of urls) await assertUrlAllowed(url, { allowPrivateNetworks: deps.config.ALLOW_PRIVATE_DESTINATIONS });
    return await adapter.test();
  } catch (err) {
    const error = err instanceof CrmError ? err : crmModule(destination.type).classifyError(err);
    return { ok: false, latencyMs: 0, error: { code: error.code, message: error.message } };
  }
}

/** Credentials sealed under another ENCRYPTION_KEY (or damaged) fail the delivery for good, like bad config. */
function openCredentials(deps: DeliveryDeps, sealed: string): unknown {
  try {
    return deps.secrets.open(sealed);
  } catch {
    throw new CrmError({
      code: 'CREDENTIALS_UNREADABLE',
      message: "the destination's credentials cannot be decrypted (was ENCRYPTION_KEY changed?); save them again",
      retryable: false,
    });
  }
}

function parseOrThrow<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } },
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CrmError({ code: 'DESTINATION_MISCONFIGURED', message: `the destination's ${what} are not valid: ${parsed.error.message}`, retryable: false });
  }
  return parsed.data;
}
