import { crmModule, type CrmAdapter, type CrmModule, type CrmType, type TestResult } from '@crm-push/crm';
import { DeliveryError, scrubbedError, secretValuesOf } from '@crm-push/outbound';
import type { DeliveryDeps } from './deps';

export interface DestinationRow {
  id: string;
  type: string;
  config: unknown;
  credentials: string | null;
}

export interface BuiltAdapter {
  crm: CrmModule<CrmType>;
  adapter: CrmAdapter;
  config: unknown;
  /** Every URL the adapter will call, for the private-network guard. */
  urls: string[];
  /** Turns anything the adapter threw into a DeliveryError whose message holds none of the destination's secrets. */
  classify(err: unknown): DeliveryError;
}

/**
 * A fresh adapter for one destination (adapters are never shared between jobs). A CRM that
 * rotates a token gets it stored, encrypted, on the destination.
 */
export function buildAdapter(deps: DeliveryDeps, destination: DestinationRow): BuiltAdapter {
  const crm = crmModule(destination.type);
  const config = parseOrThrow(crm.configSchema, destination.config, 'config');
  const credentials = parseOrThrow(crm.credentialsSchema, destination.credentials ? openCredentials(deps, destination.credentials) : {}, 'credentials');
  // A destination may echo what it was sent (a token endpoint quoting client_secret): what is
  // stored or shown of its answer is scrubbed of this destination's own credential values.
  const secrets = secretValuesOf(credentials);
  const rotated: string[] = [];
  const adapter = crm.createAdapter({
    config,
    credentials,
    network: deps.network,
    hooks: {
      onCredentialsChanged: async (next) => {
        rotated.push(...secretValuesOf(next));
        await deps.db.destination.update({ where: { id: destination.id }, data: { credentials: deps.secrets.seal(next) } });
      },
    },
  });
  const classify = (err: unknown) => scrubbedError(err instanceof DeliveryError ? err : crm.classifyError(err), [...secrets, ...rotated]);
  return { crm, adapter, config, urls: crm.urlsOf(config, credentials), classify };
}

/** POST /v1/destinations/:id/test: a real, side-effect-free call; never throws. */
export async function testConnection(deps: DeliveryDeps, destination: DestinationRow): Promise<TestResult> {
  let classify = (err: unknown) => (err instanceof DeliveryError ? err : crmModule(destination.type).classifyError(err));
  try {
    const built = buildAdapter(deps, destination);
    classify = built.classify;
    for (const url of built.urls) await deps.network.assertUrlAllowed(url);
    const result = await built.adapter.test();
    if (!result.error) return result;
    // The adapter's message may quote the destination's answer.
    const scrubbed = classify(new DeliveryError({ code: result.error.code, message: result.error.message, retryable: false }));
    return { ...result, error: { code: scrubbed.code, message: scrubbed.message } };
  } catch (err) {
    const error = classify(err);
    return { ok: false, latencyMs: 0, error: { code: error.code, message: error.message } };
  }
}

/** Credentials sealed under another ENCRYPTION_KEY (or damaged) fail the delivery for good, like bad config. */
function openCredentials(deps: DeliveryDeps, sealed: string): unknown {
  try {
    return deps.secrets.open(sealed);
  } catch {
    throw new DeliveryError({
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
    throw new DeliveryError({
      code: 'DESTINATION_MISCONFIGURED',
      message: `the destination's ${what} are not valid: ${parsed.error.message}`,
      retryable: false,
    });
  }
  return parsed.data;
}
