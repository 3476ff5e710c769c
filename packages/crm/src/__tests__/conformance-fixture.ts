import type { MappedRecord } from '../contract';

/**
 * What each CRM module supplies to the conformance suite, as `<folder>/__tests__/conformance-fixture.ts`
 * exporting `fixture`: a fake of its CRM (from @crm-push/testing) and settings that reach it.
 */
export interface ConformanceFixture {
  /** Starts the fake; returns its base URL (http://127.0.0.1:port). */
  start(): Promise<string>;
  stop(): Promise<void>;
  /** Config and credentials (as a user would save them) for a CRM at `baseUrl`. */
  settings(baseUrl: string): { config: Record<string, unknown>; credentials: Record<string, unknown> };
  /** The credential value the CRM authenticates with, which must go nowhere else. */
  secret: string;
  /** The n-th distinct record this CRM accepts. */
  record(n: number): MappedRecord;
}
