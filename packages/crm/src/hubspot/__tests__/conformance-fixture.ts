import { createFakeHubSpot, FAKE_HUBSPOT_TOKEN } from '@crm-push/testing';
import type { ConformanceFixture } from '../../__tests__/conformance-fixture';

const fake = createFakeHubSpot();

export const fixture: ConformanceFixture = {
  start: () => fake.start(),
  stop: () => fake.stop(),
  settings: (baseUrl) => ({ config: { baseUrl }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } }),
  secret: FAKE_HUBSPOT_TOKEN,
  record: (n) => ({ email: `lead${n}@example.com`, firstname: `Lead ${n}` }),
};
