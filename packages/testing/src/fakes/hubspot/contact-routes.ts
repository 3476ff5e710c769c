import type { FakeRequest, FakeResponse } from '../fake-server';
import type { ContactStore, FakeContact } from './contact-store';
import { conflict, hubspotError, invalidProperties, notFound } from './hubspot-answers';

/** What HubSpot returns when a read names no `properties`. */
const DEFAULT_READ_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];

/** `POST /crm/v3/objects/contacts`: 201, or 409 CONFLICT naming the contact that has the email. */
export function createContact(store: ContactStore, req: FakeRequest): FakeResponse {
  const body = req.body ?? {};
  // The vendor spec marks `associations` required; the SDK omits it unless the caller passes one.
  if (!Array.isArray(body.associations) || typeof body.properties !== 'object' || body.properties === null) {
    return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: "associations" and "properties" are required');
  }
  const problems = store.validate(body.properties);
  if (problems.length) return invalidProperties(problems);
  const email = body.properties.email;
  const existing = email ? store.findBy('email', String(email)) : undefined;
  if (existing) return conflict(existing.id);
  return { status: 201, body: asObject(store.create(body.properties)) };
}

/** `PATCH /crm/v3/objects/contacts/{id}` and `/{value}?idProperty=email`. */
export function updateContact(store: ContactStore, req: FakeRequest): FakeResponse {
  const properties = req.body?.properties;
  if (typeof properties !== 'object' || properties === null) {
    return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: "properties" is required');
  }
  const contact = findContact(store, req);
  if (!contact) return notFound();
  const problems = store.validate(properties);
  if (problems.length) return invalidProperties(problems);
  const email = properties.email ? store.findBy('email', String(properties.email)) : undefined;
  if (email && email.id !== contact.id) return conflict(email.id);
  return { status: 200, body: asObject(store.update(contact, properties)) };
}

/** `GET /crm/v3/objects/contacts/{id}` (also `?idProperty=email`). */
export function getContact(store: ContactStore, req: FakeRequest): FakeResponse {
  const contact = findContact(store, req);
  if (!contact) return notFound();
  return { status: 200, body: asObject(contact, requestedProperties(req)) };
}

/** `GET /crm/v3/objects/contacts?limit=&after=&properties=`: one page, oldest first. */
export function listContacts(store: ContactStore, req: FakeRequest): FakeResponse {
  const limit = Number(req.query.get('limit') ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return hubspotError(400, 'VALIDATION_ERROR', `limit must be between 1 and 100, got ${req.query.get('limit')}`);
  }
  const after = Number(req.query.get('after') ?? 0);
  const page = store
    .all()
    .filter((c) => Number(c.id) > after)
    .slice(0, limit);
  const last = page[page.length - 1];
  const more = last && store.all().some((c) => Number(c.id) > Number(last.id));
  return {
    status: 200,
    body: {
      results: page.map((c) => asObject(c, requestedProperties(req))),
      ...(more ? { paging: { next: { after: last.id, link: `?after=${last.id}` } } } : {}),
    },
  };
}

export function findContact(store: ContactStore, req: FakeRequest): FakeContact | undefined {
  const idProperty = req.query.get('idProperty');
  return idProperty ? store.findBy(idProperty, req.params.contactId) : store.get(req.params.contactId);
}

/** The contact as SimplePublicObject, optionally with only some properties. */
export function asObject(c: FakeContact, only?: string[]): Record<string, unknown> {
  const properties = only ? Object.fromEntries(only.map((p) => [p, c.properties[p] ?? null])) : { ...c.properties };
  return { id: c.id, properties, createdAt: c.createdAt, updatedAt: c.updatedAt, archived: c.archived };
}

function requestedProperties(req: FakeRequest): string[] {
  const named = req.query
    .getAll('properties')
    .flatMap((p) => p.split(','))
    .filter(Boolean);
  return named.length ? named : DEFAULT_READ_PROPERTIES;
}
