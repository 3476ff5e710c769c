import { allLeadsSettled, FAST_STALL_RECOVERY, useStack, waitFor } from '@crm-push/testing';

describe('workers that die or are stopped mid-call', () => {
  const t = useStack({ sinks: 2, api: {}, account: true });

  async function postLeads(prefix: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await t.api.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: `${prefix}-${i}@example.com` } } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    return ids;
  }

  /** Calls each sink got per delivery (its Idempotency-Key), for leads whose email starts with prefix. */
  function callsPerDelivery(prefix: string): number[] {
    const counts = new Map<string, number>();
    for (const sink of t.sinks) {
      for (const r of sink.callsTo('leads')) {
        if (!String(r.body.email).startsWith(`${prefix}-`)) continue;
        const key = String(r.headers['idempotency-key']);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    return [...counts.values()];
  }

  const arrivals = (prefix: string) => callsPerDelivery(prefix).reduce((a, b) => a + b, 0);

  it('(b) loses no lead to a SIGKILL mid-call, and calls each destination at most twice per lead', async () => {
    const concurrency = 8;
    for (const sink of t.sinks) sink.script('leads', [], { delayMs: 300 });
    const ids = await postLeads('kill', 40);

    const first = await t.stack.startWorker({ WORKER_CONCURRENCY: String(concurrency), ...FAST_STALL_RECOVERY });
    await waitFor('some calls to be made', () => arrivals('kill') >= 24, { timeoutMs: 20_000, intervalMs: 10 });
    first.proc.kill('SIGKILL');
    await first.exited;

    // BullMQ's stalled-job check hands the killed worker's jobs to the next one. The survivor holds
    // its own locks long: on a starved machine a 3 s lock can lapse mid-call and BullMQ would run
    // that job a third time, which is lock loss in the survivor, not what this test is about.
    const second = await t.stack.startWorker({ WORKER_CONCURRENCY: String(concurrency), ...FAST_STALL_RECOVERY, WORKER_LOCK_MS: '30000' });
    await allLeadsSettled(t.stack.database, 'every lead to settle after the crash');
    await second.stop();

    const leads = await t.stack.database.db.lead.findMany({ where: { id: { in: ids } }, select: { status: true } });
    expect(leads.filter((l) => l.status === 'synced')).toHaveLength(40); // zero lost
    const perDelivery = callsPerDelivery('kill');
    expect(perDelivery).toHaveLength(80); // each of 40 leads reached both destinations
    expect(Math.min(...perDelivery)).toBe(1);
    expect(Math.max(...perDelivery)).toBeLessThanOrEqual(2);
    const duplicates = perDelivery.filter((n) => n === 2).length;
    // At most one extra call per delivery in flight at the kill (concurrency per queue).
    expect(duplicates).toBeLessThanOrEqual(concurrency);
    await t.stack.expectNoBrokenDeliveries();
    for (const sink of t.sinks) sink.resetScripts();
  });

  it('lets in-flight calls finish and be recorded on SIGTERM', async () => {
    for (const sink of t.sinks) sink.script('leads', [], { delayMs: 1500 });
    const ids = await postLeads('term', 3);
    const worker = await t.stack.startWorker();
    await waitFor('all six calls to be in flight', () => arrivals('term') === 6, { timeoutMs: 10_000, intervalMs: 10 });

    expect(await worker.stop('SIGTERM')).toBe(0);
    // Recorded before the process exited: nothing is left for another worker.
    const deliveries = await t.stack.database.db.delivery.findMany({ where: { leadId: { in: ids } }, select: { status: true, attempts: true } });
    expect(deliveries).toHaveLength(6);
    expect(deliveries.every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
    expect(worker.logs.some((l) => l.includes('"msg":"worker stopped"'))).toBe(true);
    expect(callsPerDelivery('term')).toEqual([1, 1, 1, 1, 1, 1]);
    for (const sink of t.sinks) sink.resetScripts();
  });
});
