/**
 * This process's running calls of each lane, and the deliveries waiting in this process for one
 * of them to end.
 *
 * A delivery whose lane is at its concurrency limit goes back to `delayed` for at least a quarter
 * of a second (Lanes.wait). When the lane's calls end every few milliseconds that is far too
 * long, and a worker whose WORKER_CONCURRENCY exceeds its busy lanes' limits spent most of its
 * CPU loading, refusing and re-delaying the same jobs. So a delivery refused for concurrency
 * first waits here, up to `windowMs`, for a call of its lane in this process to end, then asks
 * the lane again. Only while the lane flows here (one of its calls ended within `windowMs`): a
 * lane whose calls are slow or hung sends its deliveries back to `delayed` at once, so it never
 * holds more worker slots than its own limit for longer than that.
 */
export class LocalSlots {
  private readonly lanes = new Map<string, LocalLane>();

  constructor(private readonly windowMs: number) {}

  entered(laneId: string): void {
    // A lane's first call here counts as movement: until it has run `windowMs`, it is not yet slow.
    const lane = this.lanes.get(laneId) ?? { running: 0, movedAt: Date.now(), waiters: [] };
    lane.running += 1;
    this.lanes.set(laneId, lane);
  }

  /** After the call's lease is given back: the first delivery waiting here for the lane asks for it. */
  ended(laneId: string): void {
    const lane = this.lanes.get(laneId);
    if (!lane) return;
    lane.running -= 1;
    lane.movedAt = Date.now();
    const next = lane.waiters.shift();
    if (next) next();
    else this.forgetIfIdle(laneId, lane);
  }

  /** True when a call of the lane ended here within `maxMs`; false at once when the lane does not flow here. */
  waitForEnd(laneId: string, maxMs: number): Promise<boolean> {
    const lane = this.lanes.get(laneId);
    if (maxMs <= 0 || !lane?.running || Date.now() - lane.movedAt > this.windowMs) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        lane.waiters.splice(lane.waiters.indexOf(woken), 1);
        this.forgetIfIdle(laneId, lane);
        resolve(false);
      }, maxMs);
      const woken = () => {
        clearTimeout(timer);
        resolve(true);
      };
      lane.waiters.push(woken);
    });
  }

  private forgetIfIdle(laneId: string, lane: LocalLane): void {
    if (!lane.running && !lane.waiters.length) this.lanes.delete(laneId);
  }
}

interface LocalLane {
  running: number;
  /** When a call of the lane last ended here, or its first call here started. */
  movedAt: number;
  /** Each wakes one delivery waiting here: a call of the lane ended. */
  waiters: (() => void)[];
}
