/** A contact as HubSpot's CRM v3 answers it (SimplePublicObject). */
export interface FakeContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** A property value HubSpot refuses, in the shape of its VALIDATION_ERROR details. */
export interface PropertyProblem {
  isValid: false;
  message: string;
  error: 'PROPERTY_DOESNT_EXIST' | 'INVALID_EMAIL';
  name: string;
  localizedErrorMessage: string;
}

/** Properties every HubSpot portal has on contacts; tests add custom ones with `knownProperties.add`. */
const DEFAULT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'company',
  'phone',
  'mobilephone',
  'website',
  'jobtitle',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'industry',
  'lifecyclestage',
  'hs_lead_status',
  'message',
  'salutation',
  'fax',
  'numemployees',
  'annualrevenue',
  'hubspot_owner_id',
  'createdate',
  'lastmodifieddate',
  'hs_object_id',
];

/** In-memory contacts with HubSpot's rules: unique (case-insensitive) email, only known properties. */
export class ContactStore {
  readonly byId = new Map<string, FakeContact>();
  readonly knownProperties = new Set(DEFAULT_PROPERTIES);
  /** Contacts by their (lower-case) email: an upsert of 100 into a portal of 100 000 looks up 100, not scans 100 times. */
  private readonly byEmail = new Map<string, FakeContact>();
  private nextId = 101;

  get size(): number {
    return this.byId.size;
  }

  all(): FakeContact[] {
    return [...this.byId.values()];
  }

  get(id: string): FakeContact | undefined {
    return this.byId.get(id);
  }

  /** Finds by any property; email compares case-insensitively as HubSpot does. */
  findBy(property: string, value: string): FakeContact | undefined {
    if (property === 'hs_object_id') return this.get(value);
    if (property === 'email') return this.byEmail.get(value.toLowerCase());
    for (const contact of this.byId.values()) if (contact.properties[property] === value) return contact;
    return undefined;
  }

  /** The problems HubSpot would report for these property values (empty when valid). */
  validate(properties: Record<string, unknown>): PropertyProblem[] {
    const problems: PropertyProblem[] = [];
    for (const [name, value] of Object.entries(properties)) {
      if (!this.knownProperties.has(name)) problems.push(problem(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`));
      else if (name === 'email' && value && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(value))) {
        problems.push(problem(name, 'INVALID_EMAIL', `Email address ${String(value)} is invalid`));
      }
    }
    return problems;
  }

  /** Stores a new contact without checks (tests seed with it; routes validate first). */
  create(properties: Record<string, unknown>): FakeContact {
    const now = new Date().toISOString();
    const id = String(this.nextId++);
    const contact: FakeContact = { id, properties: {}, createdAt: now, updatedAt: now, archived: false };
    contact.properties = { ...normalise(properties), createdate: now, lastmodifieddate: now, hs_object_id: id };
    this.byId.set(id, contact);
    this.indexEmail(contact, undefined);
    return contact;
  }

  update(contact: FakeContact, properties: Record<string, unknown>): FakeContact {
    const now = new Date().toISOString();
    const previousEmail = contact.properties.email;
    Object.assign(contact.properties, normalise(properties), { lastmodifieddate: now });
    contact.updatedAt = now;
    this.indexEmail(contact, previousEmail);
    return contact;
  }

  private indexEmail(contact: FakeContact, previousEmail: string | undefined): void {
    if (previousEmail && previousEmail !== contact.properties.email) this.byEmail.delete(previousEmail);
    if (contact.properties.email) this.byEmail.set(contact.properties.email, contact);
  }
}

function problem(name: string, error: PropertyProblem['error'], message: string): PropertyProblem {
  return { isValid: false, message, error, name, localizedErrorMessage: message };
}

/** HubSpot stores every value as a string and emails in lower case. */
function normalise(properties: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (value === null || value === undefined) continue;
    out[name] = name === 'email' ? String(value).toLowerCase() : String(value);
  }
  return out;
}
