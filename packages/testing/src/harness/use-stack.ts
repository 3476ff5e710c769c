import { createCustomSink, type CustomSink } from '../fakes/custom-sink';
import { startStack, type ApiChild, type Child, type Stack, type StackOptions } from './stack';

/** A fake vendor or other local server a test file runs beside the stack. */
interface Startable {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

export interface UseStackOptions {
  /** How many custom CRM sinks to start. */
  sinks?: number;
  /** Other fakes, started before the stack and stopped after it. */
  fakes?: Startable[];
  /** Starts an api, with these overrides. */
  api?: Record<string, string>;
  /** Starts a worker for each entry, with its overrides, once the api runs. */
  workers?: Record<string, string>[];
  /** Creates an account on the api, with every sink a custom destination of it. */
  account?: boolean;
  stack?: StackOptions;
  /** How long the set-up may take. @defaultValue jest's test timeout */
  setupTimeoutMs?: number;
}

/** What `useStack` gives a describe block; filled in by its beforeAll. */
export interface StackContext {
  stack: Stack;
  /** The api, when `api` was asked for. */
  api: ApiChild;
  workers: Child[];
  sinks: CustomSink[];
  /** The first sink. */
  sink: CustomSink;
  /** The account's API key, when `account` was asked for. */
  apiKey: string;
  /** Starts a fake for one test; it is stopped with the stack. */
  started<Fake extends Startable>(fake: Fake): Promise<Fake>;
}

/**
 * The set-up process tests share: fakes, a stack with its api and workers and an account, started
 * before the block's tests; after them the stack checks the delivery invariant and stops.
 */
export function useStack(opts: UseStackOptions = {}): StackContext {
  const later: Startable[] = [];
  const context = {
    workers: [],
    sinks: [],
    async started(fake) {
      await fake.start();
      later.push(fake);
      return fake;
    },
  } as Partial<StackContext> as StackContext;
  const fakes = () => [...context.sinks, ...(opts.fakes ?? []), ...later];
  beforeAll(async () => {
    context.sinks = Array.from({ length: opts.sinks ?? 0 }, () => createCustomSink());
    context.sink = context.sinks[0];
    await Promise.all(fakes().map((f) => f.start()));
    context.stack = await startStack(opts.stack);
    if (opts.api) context.api = await context.stack.startApi(opts.api);
    context.workers = await Promise.all((opts.workers ?? []).map((env) => context.stack.startWorker(env)));
    if (opts.account) {
      context.apiKey = (await context.api.createAccount()).apiKey;
      for (const sink of context.sinks) await context.api.addDestination(context.apiKey, `${sink.url}/leads`);
    }
  }, opts.setupTimeoutMs);
  afterAll(async () => {
    await context.stack?.stop();
    await Promise.all(fakes().map((f) => f.stop()));
  });
  return context;
}
