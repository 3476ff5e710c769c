import { Prisma, queryDirect, type Db } from '@crm-push/db';

/** A delivery with everything needed to run it: its lead, its destination, its flow. */
export type LoadedDelivery = Prisma.DeliveryGetPayload<{ include: { lead: true; destination: true; flow: true } }>;

/** Each table the load reads, as its model. */
interface Models {
  delivery: Omit<LoadedDelivery, 'lead' | 'destination' | 'flow'>;
  lead: LoadedDelivery['lead'];
  destination: NonNullable<LoadedDelivery['destination']>;
  flow: NonNullable<LoadedDelivery['flow']>;
}

/** The fields of a model that hold a date. */
type DateField<T> = { [K in keyof T]-?: T[K] extends Date | null ? K : never }[keyof T];

/** One model's fields, each with its column and whether it holds a date. */
type Layout = readonly { field: string; column: string; isDate: boolean }[];

/** Every column is its field's name in snake case (the schema's @map convention). */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A model's fields and, since JSON carries a timestamp as a string, which of them are dates.
 * `dates` must name every date field of the model: one added to the schema and missing there
 * does not compile.
 */
function layoutOf<T>(fields: Record<string, string>, dates: Record<DateField<T>, true>): Layout {
  return Object.values(fields).map((field) => ({ field, column: columnOf(field), isDate: field in dates }));
}

const LAYOUTS = {
  delivery: layoutOf<Models['delivery']>(Prisma.DeliveryScalarFieldEnum, { nextRetryAt: true, claimUntil: true, createdAt: true, updatedAt: true }),
  lead: layoutOf<Models['lead']>(Prisma.LeadScalarFieldEnum, { createdAt: true, updatedAt: true, erasedAt: true }),
  destination: layoutOf<Models['destination']>(Prisma.DestinationScalarFieldEnum, {
    createdAt: true,
    updatedAt: true,
    deletedAt: true,
    healthSince: true,
    resumeAt: true,
  }),
  flow: layoutOf<Models['flow']>(Prisma.FlowScalarFieldEnum, { createdAt: true, updatedAt: true }),
};

/**
 * The join is the function load_deliveries_as_json, whose plan PostgreSQL keeps per connection,
 * and which answers each table's row as one JSON object (migration 20261203160000): a statement
 * naming every column was parsed and planned again on every call.
 */
const LOAD_DELIVERIES = 'SELECT delivery, lead, destination, flow FROM load_deliveries_as_json($1::text[])';

type JsonRow = Record<string, unknown>;

/**
 * Deliveries with everything needed to run them, in one query. Written out rather than a
 * findMany with includes, and run without Prisma's runtime (queryDirect): Prisma maps the
 * relation joins' JSON, and a raw query's values, one by one, which was the worker's largest
 * cost after the network (see `npm run bench`); load-delivery.test.ts holds the result to what
 * findMany answers.
 */
export async function loadDeliveries(db: Db, ids: readonly string[]): Promise<LoadedDelivery[]> {
  if (!ids.length) return [];
  const { rows } = await queryDirect<Record<keyof Models, JsonRow | null>>(db, LOAD_DELIVERIES, [ids]);
  return rows.map(toLoadedDelivery);
}

function toLoadedDelivery(row: Record<keyof Models, JsonRow | null>): LoadedDelivery {
  const delivery = fromColumns(LAYOUTS.delivery, row.delivery!);
  delivery.lead = fromColumns(LAYOUTS.lead, row.lead!);
  // A delivery without a destination or a flow has null for it (a LEFT JOIN that found nothing).
  delivery.destination = row.destination && fromColumns(LAYOUTS.destination, row.destination);
  delivery.flow = row.flow && fromColumns(LAYOUTS.flow, row.flow);
  return delivery as unknown as LoadedDelivery;
}

/** A model from its row's JSON: by field name, timestamps (stored as UTC, as Prisma writes them) as Dates. */
function fromColumns(layout: Layout, json: JsonRow): JsonRow {
  const model: JsonRow = {};
  for (const { field, column, isDate } of layout) {
    const value = json[column];
    model[field] = isDate && typeof value === 'string' ? new Date(`${value}Z`) : value;
  }
  return model;
}
