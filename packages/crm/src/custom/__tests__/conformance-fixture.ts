import { createCustomSink } from '@crm-push/testing';
import type { ConformanceFixture } from '../../__tests__/conformance-fixture';

const sink = createCustomSink();

export const fixture: ConformanceFixture = {
  start: () => sink.start(),
  stop: () => sink.stop(),
  settings: (baseUrl) => ({ config: { url: `${baseUrl}/leads` }, credentials: { type: 'bearer', token: 'custom-conformance-token' } }),
  secret: 'custom-conformance-token',
  record: (n) => ({ email: `lead${n}@example.com`, firstName: `Lead ${n}` }),
};
