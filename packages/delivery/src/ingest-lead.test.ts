import { useTestDomain } from '@crm-push/testing';
import { createIngester } from './ingest-lead';

describe('the shared lead insert', () => {
  const domain = useTestDomain();

  it('fails only the lead PostgreSQL refuses when it shares a statement with good leads of another account', async () => {
    const [hostile, bystander] = await Promise.all(['Hostile', 'Bystander'].map((name) => domain.deps.db.account.create({ data: { name } })));
    const ingest = createIngester(domain.deps);
    // Past the api's own checks (a caller of the domain, a stored value read back): the statement itself fails.
    const bad = ingest(hostile.id, { data: { x: 'a\u0000b' } });
    const good = Array.from({ length: 50 }, (_, i) => ingest(bystander.id, { data: { email: `good${i}@example.com` } }));
    const [badResult, ...goodResults] = await Promise.allSettled([bad, ...good]);
    expect(badResult.status).toBe('rejected');
    expect(goodResults.map((r) => r.status)).toEqual(goodResults.map(() => 'fulfilled'));
    expect(await domain.deps.db.lead.count({ where: { accountId: bystander.id } })).toBe(50);
    expect(await domain.deps.db.lead.count({ where: { accountId: hostile.id } })).toBe(0);
  });
});
