import { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, FAST_STALL_RECOVERY, HUBSPOT_ROUTES, useStack, waitFor } from '@crm-push/testing';

/**
 * A batch call in flight when its worker dies: the claim (batch-claim.ts) stays with the job, so
 * the job that BullMQ's stalled-job recovery runs again, on the other worker, takes its own
 * claims back and repeats that one call; the deliveries that rode along wait for it.
 */
describe('a worker killed with SIGKILL in the middle of a batch call', () => {
  const hubspot = createFakeHubSpot();
  const t = useStack({ fakes: [hubspot], api: {}, setupTimeoutMs: 60_000 });

  it('every delivery ends succeeded, one contact per email, at most one repeated call per batch in flight', async () => {
    const key = (await t.api.createAccount('Crash')).apiKey;
    const created = await t.api.call('POST', '/v1/destinations', {
      key,
      // A timeout longer than the slow call below: the kill, not the timeout, ends it.
      body: { name: 'crm', type: 'hubspot', config: { baseUrl: hubspot.url, timeoutMs: 60_000 }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    // Posted before any worker runs, so the first worker finds the whole burst ready: two batches (100 + 50).
    const n = 150;
    for (let i = 0; i < n; i += 25) {
      const results = await Promise.all(
        Array.from({ length: Math.min(25, n - i) }, (_, j) =>
          t.api.call('POST', '/v1/leads', { key, body: { data: { email: `crash-${i + j}@example.com`, lastName: 'L', company: 'Co' } } }),
        ),
      );
      for (const r of results) expect(r.status).toBe(202);
    }
    // The first batch call is slow, so the worker can be killed while it is in flight; HubSpot
    // still applies it afterwards (the worker never learns of it).
    const slowMs = 8000;
    hubspot.server.script(HUBSPOT_ROUTES.batchUpsert, [{ delayMs: slowMs }]);

    const first = await t.stack.startWorker(FAST_STALL_RECOVERY);
    await waitFor('the first batch call to be in flight', async () => (hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert).length ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    const seenAt = Date.now();
    first.proc.kill('SIGKILL');
    await first.exited;
    // Batches go side by side: every call made before the kill may have gone unrecorded.
    const callsBeforeKill = hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert);
    const emailsOf = (c: (typeof callsBeforeKill)[number]) => (c.body.inputs as { id: string }[]).map((i) => i.id);
    const inFlightEmails = new Set(callsBeforeKill.flatMap(emailsOf));
    // The slow call recorded nothing: its deliveries are still to settle.
    const succeededAtKill = await t.stack.database.db.delivery.count({ where: { destinationId: id, status: 'succeeded' } });
    expect(succeededAtKill).toBeLessThanOrEqual(n - emailsOf(callsBeforeKill[0]).length);

    // BullMQ's stalled-job check hands the killed worker's job to this one.
    const second = await t.stack.startWorker(FAST_STALL_RECOVERY);

    await waitFor(
      `${n} deliveries succeeded after the crash`,
      async () => ((await t.stack.database.db.delivery.count({ where: { destinationId: id, status: 'succeeded' } })) === n ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch(async (err) => {
      console.log(second.logs.slice(-30).join('\n'));
      throw err;
    });

    // By now HubSpot has applied the killed call too (the contacts it made were upserted again, or it updated them).
    await new Promise((r) => setTimeout(r, Math.max(0, seenAt + slowMs + 1000 - Date.now())));
    const emails = hubspot.contacts.all().map((c) => c.properties.email);
    expect(emails).toHaveLength(n);
    expect(new Set(emails).size).toBe(n);
    // How many write calls carried each email: once, or twice for the batch that was in flight.
    const carried = new Map<string, number>();
    for (const c of hubspot.server.requests.filter((r) => r.path.startsWith('/crm/') && r.method !== 'GET')) {
      type Input = { id?: string; properties: Record<string, string> };
      const inputs: Input[] = (c.body?.inputs as Input[] | undefined) ?? [{ properties: (c.body?.properties as Record<string, string>) ?? {} }];
      for (const input of inputs) {
        const email = (input.id ?? input.properties.email)!;
        carried.set(email, (carried.get(email) ?? 0) + 1);
      }
    }
    expect(carried.size).toBe(n);
    expect(Math.max(...carried.values())).toBeLessThanOrEqual(2);
    const repeated = [...carried].filter(([, times]) => times === 2).map(([email]) => email);
    // Only records of calls made before the kill went twice.
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.every((email) => inFlightEmails.has(email))).toBe(true);
    await t.stack.expectNoBrokenDeliveries();
    await second.stop();
  }, 120_000);
});
