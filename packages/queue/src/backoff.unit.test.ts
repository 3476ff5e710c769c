import { backoffDelay, sweepDelay } from './backoff';

const policy = { baseMs: 1000, maxMs: 15000 };
const noJitter = () => 0;
const fullJitter = () => 1;

describe('backoffDelay', () => {
  it('doubles from RETRY_BASE_MS for each retry', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, undefined, noJitter))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds RETRY_MAX_MS', () => {
    expect(backoffDelay(10, policy, undefined, noJitter)).toBe(15000);
  });

  it('takes at most 20% off for jitter, so consecutive gaps still grow', () => {
    expect(backoffDelay(1, policy, undefined, fullJitter)).toBe(800);
    expect(backoffDelay(2, policy, undefined, fullJitter)).toBeGreaterThan(backoffDelay(1, policy, undefined, noJitter));
  });

  it("waits at least a 429's Retry-After", () => {
    expect(backoffDelay(1, policy, 7000, noJitter)).toBe(7000);
  });

  it('caps a Retry-After at RETRY_MAX_MS', () => {
    expect(backoffDelay(1, policy, 60000, noJitter)).toBe(15000);
  });

  it('keeps the exponential delay when Retry-After is shorter', () => {
    expect(backoffDelay(3, policy, 10, noJitter)).toBe(4000);
  });
});

describe('sweepDelay', () => {
  it('doubles the sweep period for each sweep a delivery already had', () => {
    expect([0, 1, 2].map((n) => sweepDelay(n, 60000))).toEqual([60000, 120000, 240000]);
  });

  it('is capped at a day', () => {
    expect(sweepDelay(30, 300000)).toBe(24 * 3600 * 1000);
  });
});
