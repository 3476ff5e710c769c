import { createCustomSink, createFakeHubSpot, createFakeSalesforce, FAKE_HUBSPOT_TOKEN } from '@crm-push/testing';

/** How many calls the custom sandbox refuses (503) before it starts accepting, so retries show. */
export const CUSTOM_FAILURES_FIRST = 3;

export interface Sandboxes {
  /** POST /v1/destinations bodies pointing at the sandboxes. */
  destinations: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * The fake Salesforce and HubSpot servers of @crm-push/testing (which answer as the real APIs do)
 * and a custom REST endpoint, on local ports.
 */
export async function startSandboxes(): Promise<Sandboxes> {
  const salesforce = createFakeSalesforce();
  // A demo should not meet HubSpot's ten-second limit.
  const hubspot = createFakeHubSpot({ limits: { max: 100_000 } });
  const custom = createCustomSink();
  const started: { stop(): Promise<void> }[] = [];
  try {
    for (const server of [salesforce, hubspot, custom]) {
      await server.start();
      started.push(server);
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw err;
  }
  custom.script(
    'leads',
    Array.from({ length: CUSTOM_FAILURES_FIRST }, () => ({ status: 503, body: { error: 'warming up' } })),
  );

  return {
    destinations: [
      {
        name: 'Salesforce sandbox',
        type: 'salesforce',
        config: { instanceUrl: salesforce.url },
        credentials: { accessToken: 'sf-access-token' },
      },
      {
        name: 'HubSpot sandbox',
        type: 'hubspot',
        config: { baseUrl: hubspot.url },
        credentials: { accessToken: FAKE_HUBSPOT_TOKEN },
      },
      {
        name: `Custom REST sandbox (refuses its first ${CUSTOM_FAILURES_FIRST} calls)`,
        type: 'custom',
        config: { url: `${custom.url}/leads` },
      },
    ],
    stop: async () => void (await Promise.allSettled(started.map((s) => s.stop()))),
  };
}
