import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, openTestRedis, waitFor, type TestDatabase } from '@crm-push/testing';
import { ROOT } from './child-processes';
import { freePort } from './free-port';
import { SAMPLE_LEADS } from './sample-leads';

const ENTRY = path.join(ROOT, 'apps/demo/dist/main.js');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  let database: TestDatabase;
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  let demo: ChildProcess | undefined;
  let pids: number[] = [];

  beforeAll(async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first (npm test does)`);
    database = await createTestDatabase();
    redis = await openTestRedis();
  });
  afterAll(async () => {
    // Only when the test failed half-way: the demo runs in a process group of its own, so the
    // group's kill reaches the api and worker it started even if the demo cannot pass it on.
    if (demo?.pid && demo.exitCode === null && demo.signalCode === null) {
      try {
        process.kill(-demo.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await redis?.close();
    await database?.drop();
  });

  it('prints every sample lead landing in the sandboxes, then stops everything it started on Ctrl-C', async () => {
    const port = await freePort(0);
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    demo = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const started = () => /api \(pid (\d+)\).*worker \(pid (\d+)\)/.exec(output);
    await waitFor(
      'the demo to report every lead landed',
      () => {
        if (child.exitCode !== null) throw new Error('the demo exited early');
        pids = started() ? [Number(started()![1]), Number(started()![2])] : [];
        return output.includes('Press Ctrl-C to stop.');
      },
      { timeoutMs: 40_000, intervalMs: 100 },
    ).catch((err) => {
      throw new Error(`${err.message}; its output:\n${output}`);
    });

    expect(output).toContain(`All ${SAMPLE_LEADS.length} sample leads landed in the sandboxes (${SAMPLE_LEADS.length * 3} deliveries).`);
    for (const lead of SAMPLE_LEADS) {
      for (const type of ['salesforce', 'hubspot', 'custom']) expect(output).toContain(`${lead.data.email} → ${type}: succeeded`);
    }
    // The custom sandbox refuses its first calls, so some of its deliveries needed a retry.
    expect(output).toMatch(/→ custom: succeeded \(2 attempts\)/);
    expect(output).toContain(`http://127.0.0.1:${port}/admin `);
    expect(output).toContain(`http://127.0.0.1:${port}/admin/queues`);
    expect(output).toContain(`http://127.0.0.1:${port}/docs`);
    expect(output).toMatch(/Admin token {2}\S{16,}/);

    expect(pids).toHaveLength(2);
    expect(pids.map(isRunning)).toEqual([true, true]);

    child.kill('SIGINT');
    await waitFor('the demo to exit after Ctrl-C', () => child.exitCode !== null || child.signalCode !== null, { timeoutMs: 10_000, intervalMs: 50 });
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    expect(pids.filter(isRunning)).toEqual([]);
    // The sandboxes and the api are closed too: nothing answers on the api's port any more.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
