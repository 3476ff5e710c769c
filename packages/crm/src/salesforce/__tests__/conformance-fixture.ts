import { createFakeSalesforce } from '@crm-push/testing';
import type { ConformanceFixture } from '../../__tests__/conformance-fixture';

const fake = createFakeSalesforce();

export const fixture: ConformanceFixture = {
  start: () => fake.start(),
  stop: () => fake.stop(),
  settings: (instanceUrl) => ({ config: { instanceUrl }, credentials: { accessToken: 'sf-access-token' } }),
  secret: 'sf-access-token',
  record: (n) => ({ LastName: `Lead ${n}`, Company: 'Conformance Inc', Email: `lead${n}@example.com` }),
};
