import { Prisma, queryDirect, type Db } from '@crm-push/db';

/** A delivery with everything needed to run it: its lead, its destination, its flow. */
export type LoadedDelivery = Prisma.DeliveryGetPayload<{ include: { lead: true; destination: true; flow: true } }>;

/** Each relation's model columns under a prefix of its own, in one flat row. */
const RELATIONS = {
  lead: { table: 'l', fields: Object.values(Prisma.LeadScalarFieldEnum) },
  destination: { table: 'dst', fields: Object.values(Prisma.DestinationScalarFieldEnum) },
  flow: { table: 'f', fields: Object.values(Prisma.FlowScalarFieldEnum) },
} as const;
const DELIVERY_FIELDS = Object.values(Prisma.DeliveryScalarFieldEnum);

/** Every column is its field's name in snake case (the schema's @map convention). */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const selectList = (table: string, fields: readonly string[], prefix: string) => fields.map((f) => `${table}."${columnOf(f)}" AS "${prefix}${f}"`).join(', ');
const SELECT_LIST = [selectList('d', DELIVERY_FIELDS, ''), ...Object.entries(RELATIONS).map(([name, r]) => selectList(r.table, r.fields, `${name}.`))].join(
  ', ',
);
const LOAD_DELIVERIES = `
  SELECT ${SELECT_LIST}
  FROM deliveries d
  JOIN leads l ON l.id = d.lead_id
  LEFT JOIN destinations dst ON dst.id = d.destination_id
  LEFT JOIN flows f ON f.id = d.flow_id
  WHERE d.id = ANY($1::text[])`;

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
  for (const [name, r] of Object.entries(RELATIONS)) {
    // Every model's id is never null: a null id is a relation the delivery does not have.
    if (row[`${name}.id`] === null) {
      delivery[name] = null;
      continue;
    }
    const related: Record<string, unknown> = {};
    for (const f of r.fields) related[f] = row[`${name}.${f}`];
    delivery[name] = related;
  }
  return delivery as LoadedDelivery;
}
