import { LEAD_STATUS_CASES } from './__tests__/lead-status-cases';
import { leadStatusOf } from './lead-status';

describe('leadStatusOf', () => {
  it.each(LEAD_STATUS_CASES)('%j → %s', (statuses, expected) => {
    expect(leadStatusOf([...statuses])).toBe(expected);
  });
});
