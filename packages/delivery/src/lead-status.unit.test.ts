import { leadStatusOf } from './lead-status';

describe('leadStatusOf', () => {
  it.each([
    [[], 'pending'],
    [['queued'], 'pending'],
    [['retrying', 'failed'], 'pending'],
    [['failed', 'succeeded'], 'synced'],
    [['succeeded'], 'synced'],
    [['queued', 'succeeded'], 'synced'],
    [['failed'], 'failed'],
    [['failed', 'failed'], 'failed'],
  ] as const)('%j → %s', (statuses, expected) => {
    expect(leadStatusOf([...statuses])).toBe(expected);
  });
});
