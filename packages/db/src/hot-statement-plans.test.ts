import { Client } from 'pg';
import { createTestDatabase } from '@crm-push/testing';

/**
 * The hottest statements (the worker's load and success write, the api's routing read and lead
 * insert) are PL/pgSQL functions, so PostgreSQL plans them once per connection (migrations
 * 20261203080000_hot_statement_functions, 20261203160000_load_deliveries_as_json,
 * 20261203163000_insert_leads_function and 20261203170000_load_routing_function). A plan made
 * once on a new, empty database would scan whole tables, and go on scanning them as they grow;
 * the functions pin index lookups instead. These tests read the plans PostgreSQL runs
 * (auto_explain, loaded for this session only), made on empty tables.
 */
describe('the hot statement functions', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: Client;
  const plans: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    await client.query("LOAD 'auto_explain'");
    await client.query("SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = 'notice'");
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  /** A function's arguments, one empty array of each type. */
  const emptyArrays = (types: string[]) => types.map((type) => `'{}'::${type}[]`).join(', ');

  /** The plan of the statement inside the function, and every table it reads by sequential scan. */
  async function innerPlan(call: string, marker: string) {
    plans.length = 0;
    await client.query(call);
    const plan = plans.find((p) => p.includes(marker)) ?? '';
    return { plan, seqScans: [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]) };
  }

  it('load_deliveries_as_json looks up deliveries, leads, destinations and flows by primary key, on empty tables too', async () => {
    const { plan, seqScans } = await innerPlan("SELECT * FROM load_deliveries_as_json(ARRAY['none'])", 'FROM deliveries d');
    expect(seqScans).toEqual([]);
    for (const index of ['deliveries_pkey', 'leads_pkey', 'destinations_pkey', 'flows_pkey']) expect(plan).toContain(index);
  });

  it('insert_leads inserts without scanning any table, on empty tables too', async () => {
    const empty = emptyArrays(['text', 'text', 'text', 'text', 'text', 'jsonb', 'boolean', 'timestamp', 'text', 'text', 'text', 'text', 'text', 'text', 'int']);
    const { plan, seqScans } = await innerPlan(`SELECT * FROM insert_leads(${empty})`, 'Insert on leads');
    expect(plan).toContain('Insert on deliveries');
    expect(seqScans).toEqual([]);
  });

  it('load_routing reads flows and destinations by account, on empty tables too', async () => {
    const { plan, seqScans } = await innerPlan("SELECT * FROM load_routing(ARRAY['none'])", 'FROM flows f');
    expect(seqScans).toEqual([]);
    for (const index of ['flows_account_id_idx', 'destinations_account_id_idx']) expect(plan).toContain(index);
  });

  it('record_successes updates deliveries and leads by primary key, on empty tables too', async () => {
    const empty = emptyArrays(['text', 'text', 'timestamp', 'int', 'int', 'jsonb', 'text', 'int', 'int']);
    const { plan, seqScans } = await innerPlan(`SELECT record_successes(${empty})`, 'UPDATE leads');
    expect(seqScans).toEqual([]);
    expect(plan).toContain('Index Scan using deliveries_pkey');
    expect(plan).toContain('Index Scan using leads_pkey');
  });
});
