/**
 * Gathers concurrent calls into batches without a timer: the first call starts a batch at once
 * (after the current I/O phase, so the calls that arrived with it join), and while `maxInFlight`
 * batches are running the next one gathers whatever arrives meanwhile, up to `maxSize`. Idle, a
 * call waits no longer than its own round trip; under load the batches grow with the round
 * trips instead of a fixed window splitting the load into many small statements.
 *
 * `run` answers each item in order, with a value or an Error of its own; if it throws, every
 * item of the batch fails with that error.
 */
export interface BatcherOptions {
  maxSize: number;
  maxInFlight: number;
}

export type Batcher<In, Out> = (item: In) => Promise<Out>;

interface Waiting<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (err: unknown) => void;
}

export function createBatcher<In, Out>(run: (items: In[]) => Promise<(Out | Error)[]>, opts: BatcherOptions): Batcher<In, Out> {
  let waiting: Waiting<In, Out>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const start = () => {
    scheduled = false;
    while (inFlight < opts.maxInFlight && waiting.length) {
      const batch = waiting.slice(0, opts.maxSize);
      waiting = waiting.slice(batch.length);
      inFlight += 1;
      void settle(batch).finally(() => {
        inFlight -= 1;
        schedule();
      });
    }
  };
  const schedule = () => {
    if (scheduled || !waiting.length || inFlight >= opts.maxInFlight) return;
    scheduled = true;
    setImmediate(start);
  };
  const settle = async (batch: Waiting<In, Out>[]) => {
    try {
      const results = await run(batch.map((w) => w.item));
      batch.forEach((w, i) => (results[i] instanceof Error ? w.reject(results[i]) : w.resolve(results[i] as Out)));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });
}
