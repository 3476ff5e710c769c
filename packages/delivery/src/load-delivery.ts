import { Prisma, queryDirect, type Db } from '@crm-push/db';

/** A delivery with everything needed to run it: its lead, its destination, its flow. */
export type LoadedDelivery = Prisma.DeliveryGetPayload<{ include: { lead: true; destination: true; flow: true } }>;

/** Each relation's model columns under a prefix of its own, in one flat row. */
const RELATIONS = {
  lead: Object.values(Prisma.LeadScalarFieldEnum),
  destination: Object.values(Prisma.DestinationScalarFieldEnum),
  flow: Object.values(Prisma.FlowScalarFieldEnum),
} as const;
const DELIVERY_FIELDS = Object.values(Prisma.DeliveryScalarFieldEnum);

/** Every column is its field's name in snake case (the schema's @map convention). */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** The fields of one of load_deliveries' row-typed columns (`t.delivery`, `t.lead`, ...), by field name. */
const selectList = (column: string, fields: readonly string[], prefix: string) =>
  fields.map((f) => `(t.${column})."${columnOf(f)}" AS "${prefix}${f}"`).join(', ');
const SELECT_LIST = [selectList('delivery', DELIVERY_FIELDS, ''), ...Object.entries(RELATIONS).map(([name, fields]) => selectList(name, fields, `${name}.`))];
/** The join itself is the function load_deliveries, whose plan PostgreSQL keeps per connection (migration 20261203080000_hot_statement_functions). */
const LOAD_DELIVERIES = `SELECT ${SELECT_LIST.join(', ')} FROM load_deliveries($1::text[]) t`;

/**
 * Deliveries with everything needed to run them, in one query. Written out rather than a
 * findMany with includes, and run without Prisma's runtime (queryDirect): Prisma maps the
 * relation joins' JSON, and a raw query's values, one by one, which was the worker's largest
 * cost after the network (see `npm run bench`); load-delivery.test.ts holds the result to what
 * findMany answers.
 */
export async function loadDeliveries(db: Db, ids: readonly string[]): Promise<LoadedDelivery[]> {
  if (!ids.length) return [];
  const { rows } = await queryDirect<Record<string, unknown>>(db, LOAD_DELIVERIES, [ids]);
  return rows.map(toLoadedDelivery);
}

function toLoadedDelivery(row: Record<string, unknown>): LoadedDelivery {
  const delivery: Record<string, unknown> = {};
  for (const f of DELIVERY_FIELDS) delivery[f] = row[f];
  for (const [name, fields] of Object.entries(RELATIONS)) {
    // Every model's id is never null: a null id is a relation the delivery does not have.
    if (row[`${name}.id`] === null) {
      delivery[name] = null;
      continue;
    }
    const related: Record<string, unknown> = {};
    for (const f of fields) related[f] = row[`${name}.${f}`];
    delivery[name] = related;
  }
  return delivery as LoadedDelivery;
}
