import { DeliveryError } from '@crm-push/outbound';
import { useTestDomain, type TestDomain } from '@crm-push/testing';
import { LEAD_STATUS_CASES } from './__tests__/lead-status-cases';
import { leadStatusOf, refreshLeadStatus, type DeliveryStatus } from './lead-status';
import { recordFailure, recordSuccesses } from './record-outcome';
import { requeueDeliveries } from './requeue';

/**
 * The rule is stated once, in leadStatusOf; the hot paths change a lead's status in bulk with
 * their own statements (a success marks its lead synced in recordSuccesses' SQL, a re-queue
 * reopens a failed lead in requeue.ts). Every row of the rule's table, and every event that can
 * happen to each of its deliveries, must leave the lead where leadStatusOf says.
 */
type Event = {
  name: string;
  applies(status: DeliveryStatus): boolean;
  becomes: DeliveryStatus;
  run(domain: TestDomain, delivery: { id: string; leadId: string }): Promise<void>;
};

const EVENTS: Event[] = [
  {
    name: 'succeeds',
    applies: (s) => s !== 'succeeded',
    becomes: 'succeeded',
    run: ({ deps }, d) =>
      recordSuccesses(deps, [
        {
          delivery: { ...d, sweeps: 0, round: 1 },
          result: { externalId: 'x', action: 'created', statusCode: 201 },
          attempt: { startedAt: new Date(), durationMs: 1 },
        },
      ]),
  },
  {
    name: 'fails for good',
    applies: (s) => s === 'queued' || s === 'retrying',
    becomes: 'failed',
    run: ({ deps }, d) =>
      recordFailure(deps, { ...d, sweeps: 0, round: 1 }, new DeliveryError({ code: 'HTTP_400', message: 'no', retryable: false }), {
        verdict: 'failed',
        nextRetryAt: null,
      }),
  },
  {
    name: 'is re-queued',
    applies: (s) => s === 'failed',
    becomes: 'queued',
    run: async ({ deps }, d) => void (await requeueDeliveries(deps, { ids: [d.id] })),
  },
];

const transitions = LEAD_STATUS_CASES.flatMap(([statuses]) =>
  statuses.flatMap((status, index) =>
    EVENTS.filter((e) => e.applies(status)).map((event) => {
      const after = statuses.map((s, i) => (i === index ? event.becomes : s));
      return { statuses, index, event, after, expected: leadStatusOf(after) };
    }),
  ),
);

describe('every statement that changes a lead status agrees with leadStatusOf', () => {
  const domain = useTestDomain();
  let accountId: string;

  beforeAll(async () => {
    accountId = (await domain.deps.db.account.create({ data: { name: 'Acme' } })).id;
  });

  /** A lead whose CRM deliveries have `statuses`, with its status as the rule puts it. */
  async function leadWith(statuses: DeliveryStatus[]) {
    const { db } = domain.deps;
    const lead = await db.lead.create({ data: { accountId, data: {} } });
    const deliveries = [];
    for (const status of statuses) {
      const destination = await db.destination.create({ data: { accountId, name: 'd', type: 'custom', config: { url: 'http://127.0.0.1:9/leads' } } });
      deliveries.push(await db.delivery.create({ data: { accountId, leadId: lead.id, destinationId: destination.id, status } }));
    }
    await db.$transaction((tx) => refreshLeadStatus(tx, lead.id));
    return deliveries;
  }

  it.each(transitions.map((t) => [t.statuses, t.index, t.event.name, t.expected, t] as const))(
    'a lead at %j whose delivery %i %s is %s',
    async (_statuses, _index, _event, expected, t) => {
      const deliveries = await leadWith([...t.statuses]);
      await t.event.run(domain, deliveries[t.index]);
      const lead = await domain.deps.db.lead.findUniqueOrThrow({ where: { id: deliveries[0].leadId } });
      const rows = await domain.deps.db.delivery.findMany({ where: { leadId: lead.id }, orderBy: { id: 'asc' } });
      expect({ deliveries: rows.map((r) => r.status), lead: lead.status }).toEqual({ deliveries: t.after, lead: expected });
    },
  );
});
