import type { DeliveryStatus, LeadStatus } from '../lead-status';

/**
 * docs/api.md's lead-status rule as a table: a lead's CRM delivery statuses and the status the
 * lead must show. The TypeScript rule is checked against it (lead-status.unit.test.ts), and so are
 * the SQL and Prisma statements that change a lead's status in bulk (lead-status.test.ts).
 */
export const LEAD_STATUS_CASES: readonly [DeliveryStatus[], LeadStatus][] = [
  [[], 'pending'],
  [['queued'], 'pending'],
  [['retrying'], 'pending'],
  [['retrying', 'failed'], 'pending'],
  [['queued', 'failed'], 'pending'],
  [['failed', 'succeeded'], 'synced'],
  [['succeeded'], 'synced'],
  [['queued', 'succeeded'], 'synced'],
  [['failed'], 'failed'],
  [['failed', 'failed'], 'failed'],
];
