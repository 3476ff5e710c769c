import { createCustomSink, type CustomSink } from '../fakes/custom-sink';
import { startSystem, type AppFactory, type ListeningApp, type SystemOptions, type TestSystem } from './system';

export interface SystemWithSinkOptions extends SystemOptions {
  /** The name of the account created for the block. @defaultValue "Acme" */
  accountName?: string;
  /** A fresh account (a new `apiKey`) and a sink without scripts before every test of the block. */
  freshPerTest?: boolean;
}

/** What `useSystemWithSink` gives a describe block; filled in by its beforeAll. */
export interface SystemWithSink<App extends ListeningApp = ListeningApp> {
  system: TestSystem<App>;
  sink: CustomSink;
  /** The API key of an account created for the block (or, with `freshPerTest`, for the test). */
  apiKey: string;
  /** Adds a custom destination of that account delivering to the sink's `/leads`; returns its id. */
  addSinkDestination(config?: Record<string, unknown>): Promise<string>;
}

/**
 * The set-up most api tests share: a system, a custom CRM sink and one account, started before
 * the block's tests and, after them, checked for broken deliveries and stopped.
 */
export function useSystemWithSink<App extends ListeningApp>(createApp: AppFactory<App>, opts: SystemWithSinkOptions = {}): SystemWithSink<App> {
  const { accountName, freshPerTest, ...systemOptions } = opts;
  const context = {} as SystemWithSink<App>;
  const openAccount = async () => {
    context.apiKey = (await context.system.createAccount(accountName)).apiKey;
  };
  beforeAll(async () => {
    context.system = await startSystem(createApp, systemOptions);
    context.sink = createCustomSink();
    await context.sink.start();
    if (!freshPerTest) await openAccount();
    context.addSinkDestination = (config = {}) =>
      context.system.addDestination(context.apiKey, { name: 'sink', type: 'custom', config: { url: `${context.sink.url}/leads`, ...config } });
  });
  if (freshPerTest) {
    beforeEach(async () => {
      context.sink.resetScripts();
      await openAccount();
    });
  }
  afterAll(async () => {
    try {
      await context.system?.expectNoBrokenDeliveries();
    } finally {
      await context.system?.stop();
      await context.sink?.stop();
    }
  });
  return context;
}
