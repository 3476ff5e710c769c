export { FakeSalesforce, createFakeSalesforce, type FakeSalesforceOptions } from './fake-salesforce';
export type { FakeField, FakeSObject } from './sobject-catalog';
export type { SalesforceRecord } from './record-rules';
