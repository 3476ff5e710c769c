import { randomBytes } from 'node:crypto';
import { prepareDatabase } from '@crm-push/db';
import { ApiClient } from './api-client';
import { startChild, stopChildren, type Child } from './child-processes';
import { freePort } from './free-port';
import { watchLeads } from './lead-watcher';
import { startSandboxes, type Sandboxes } from './sandboxes';
import { SAMPLE_LEADS } from './sample-leads';

/**
 * `npm run demo`: sandbox CRMs, the api and a worker, an account with three destinations (one
 * failing at first), a handful of leads printed as they land. Ctrl-C stops everything it started.
 */

const DEMO_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/crm_push_demo';

const print = (line = '') => process.stdout.write(`${line}\n`);

let sandboxes: Sandboxes | undefined;
let children: Child[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    print('\nStopping the api, the worker and the sandboxes…');
    await stopChildren(children);
    await sandboxes?.stop();
    print('Stopped.');
  }
  process.exit(code);
}

async function waitUntilReady(api: ApiClient, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = children.find((c) => c.process.exitCode !== null || c.process.signalCode !== null);
    if (exited) throw new Error(`the ${exited.name} exited during start-up (see its output above)`);
    try {
      await api.request('GET', '/ready');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the api did not become ready: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function childEnv(port: number, databaseUrl: string, adminToken: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN: adminToken,
    // The sandboxes listen on 127.0.0.1.
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    // Retries a person can watch: a fraction of a second apart instead of seconds.
    RETRY_BASE_MS: process.env.RETRY_BASE_MS ?? '400',
    RETRY_MAX_MS: process.env.RETRY_MAX_MS ?? '2000',
    // The demo prints what happens; the processes only speak up about real problems.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEMO_DATABASE_URL;
  const adminToken = process.env.ADMIN_TOKEN || randomBytes(24).toString('base64url');
  const port = process.env.PORT ? Number(process.env.PORT) : await freePort(3000);

  const { applied } = await prepareDatabase(databaseUrl);
  print(`Database ${new URL(databaseUrl).pathname.slice(1)}: ${applied.length ? `applied ${applied.length} migration(s)` : 'up to date'}`);

  sandboxes = await startSandboxes();
  print('Sandbox CRMs are listening (fake Salesforce, fake HubSpot, a custom REST endpoint).');

  const env = childEnv(port, databaseUrl, adminToken);
  children = [startChild('api', 'apps/api/dist/main.js', env), startChild('worker', 'apps/worker/dist/main.js', env)];
  for (const child of children) {
    void child.exited.then((code) => {
      if (stopping) return;
      console.error(`The ${child.name} stopped unexpectedly (${code}); stopping the demo.`);
      void stopAll(1);
    });
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = new ApiClient(baseUrl, adminToken);
  await waitUntilReady(admin);
  const [api, worker] = children;
  print(`Started the api (pid ${api.process.pid}) on ${baseUrl} and a worker (pid ${worker.process.pid}).`);

  const account = await admin.request<{ id: string; apiKey: string }>('POST', '/v1/accounts', { name: `Demo ${new Date().toISOString()}` });
  const client = admin.as(account.apiKey);
  for (const destination of sandboxes.destinations) {
    const created = await client.request<{ name: string; type: string }>('POST', '/v1/destinations', destination);
    print(`Destination: ${created.name} (${created.type})`);
  }

  print(`\nPosting ${SAMPLE_LEADS.length} sample leads to ${sandboxes.destinations.length} destinations; each line is a delivery changing state:`);
  const leadIds: string[] = [];
  for (const lead of SAMPLE_LEADS) leadIds.push((await client.request<{ id: string }>('POST', '/v1/leads', lead)).id);
  const outcome = await watchLeads(client, leadIds, { print, stopped: () => stopping });
  if (stopping) return;
  if (outcome.failed === 0 && !outcome.timedOut) {
    print(`\nAll ${SAMPLE_LEADS.length} sample leads landed in the sandboxes (${outcome.succeeded} deliveries).`);
  } else {
    print(`\n${outcome.succeeded} deliveries succeeded, ${outcome.failed} failed${outcome.timedOut ? ', some still pending' : ''}: see the admin panel.`);
  }

  print(`
  Admin panel  ${baseUrl}/admin          (log in with the admin token)
  Bull Board   ${baseUrl}/admin/queues
  API docs     ${baseUrl}/docs
  Admin token  ${adminToken}
  API key      ${account.apiKey}   (the demo account's)

Try: curl -X POST ${baseUrl}/v1/leads -H 'authorization: Bearer ${account.apiKey}' -H 'content-type: application/json' -d '{"data":{"email":"you@example.com"}}'

Press Ctrl-C to stop.`);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

main().catch(async (err) => {
  if (stopping) return;
  console.error(`demo failed: ${err.message}`);
  await stopAll(1);
});
