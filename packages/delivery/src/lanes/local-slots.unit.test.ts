import { LocalSlots } from './local-slots';

describe('LocalSlots: waiting in this process for a call of a full lane to end', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('a lane with no call running here sends its delivery back at once', async () => {
    const slots = new LocalSlots(50);
    await expect(slots.waitForEnd('a', 50)).resolves.toBe(false);
    slots.entered('b');
    await expect(slots.waitForEnd('a', 50)).resolves.toBe(false);
  });

  it('wakes the waiters of a flowing lane in the order they came, one per call that ends', async () => {
    const slots = new LocalSlots(50);
    slots.entered('a');
    slots.entered('a');
    const woken: string[] = [];
    const first = slots.waitForEnd('a', 50).then((ok) => woken.push(`first:${ok}`));
    const second = slots.waitForEnd('a', 50).then((ok) => woken.push(`second:${ok}`));
    slots.ended('a');
    await first;
    expect(woken).toEqual(['first:true']);
    slots.ended('a');
    await second;
    expect(woken).toEqual(['first:true', 'second:true']);
  });

  it('a waiter whose lane ends no call within its wait is sent back, and the next end wakes the next waiter', async () => {
    const slots = new LocalSlots(50);
    slots.entered('a');
    const late = slots.waitForEnd('a', 20);
    jest.advanceTimersByTime(20);
    await expect(late).resolves.toBe(false);
    jest.advanceTimersByTime(10);
    const next = slots.waitForEnd('a', 20);
    slots.ended('a');
    await expect(next).resolves.toBe(true);
  });

  it('a lane whose calls here ran longer than the window without one ending (slow or hung) is not waited for', async () => {
    const slots = new LocalSlots(50);
    slots.entered('hung');
    jest.advanceTimersByTime(51);
    await expect(slots.waitForEnd('hung', 50)).resolves.toBe(false);
    slots.ended('hung');
    slots.entered('hung');
    await expect(Promise.race([slots.waitForEnd('hung', 50), Promise.resolve('pending')])).resolves.toBe('pending');
  });

  it('a wait of no time left does not wait', async () => {
    const slots = new LocalSlots(50);
    slots.entered('a');
    await expect(slots.waitForEnd('a', 0)).resolves.toBe(false);
  });
});
