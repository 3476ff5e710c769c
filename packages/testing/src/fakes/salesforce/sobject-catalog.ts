/** One field of a fake sObject, enough for describe and for validating writes. */
export interface FakeField {
  name: string;
  type?: string;
  /** Must have a value on create (Salesforce answers REQUIRED_FIELD_MISSING). */
  required?: boolean;
  /** Usable as the external id of an upsert. */
  externalId?: boolean;
}

export interface FakeSObject {
  name: string;
  createable: boolean;
  updateable: boolean;
  fields: FakeField[];
}

const text = (name: string, extra: Partial<FakeField> = {}): FakeField => ({ name, type: 'string', ...extra });

/** The sObjects a fresh fake knows; tests can add their own or flip `createable`. */
export function defaultCatalog(): Map<string, FakeSObject> {
  const lead: FakeSObject = {
    name: 'Lead',
    createable: true,
    updateable: true,
    fields: [
      { name: 'Id', type: 'id' },
      text('FirstName'),
      text('LastName', { required: true }),
      text('Company', { required: true }),
      { name: 'Email', type: 'email' },
      { name: 'Phone', type: 'phone' },
      text('Title'),
      { name: 'Website', type: 'url' },
      text('Street'),
      text('City'),
      text('State'),
      text('PostalCode'),
      text('Country'),
      text('LeadSource'),
      { name: 'Description', type: 'textarea' },
      text('Ext_Id__c', { externalId: true }),
    ],
  };
  const contact: FakeSObject = {
    name: 'Contact',
    createable: true,
    updateable: true,
    fields: [
      { name: 'Id', type: 'id' },
      text('FirstName'),
      text('LastName', { required: true }),
      { name: 'Email', type: 'email' },
      { name: 'Phone', type: 'phone' },
      text('Ext_Id__c', { externalId: true }),
    ],
  };
  return new Map([
    ['Lead', lead],
    ['Contact', contact],
  ]);
}

/** The subset of Salesforce's DescribeSObjectResult that clients read. */
export function describeOf(sObject: FakeSObject, version: string): Record<string, unknown> {
  return {
    name: sObject.name,
    label: sObject.name,
    custom: sObject.name.endsWith('__c'),
    createable: sObject.createable,
    updateable: sObject.updateable,
    deletable: sObject.updateable,
    queryable: true,
    urls: { sobject: `/services/data/${version}/sobjects/${sObject.name}`, describe: `/services/data/${version}/sobjects/${sObject.name}/describe` },
    fields: sObject.fields.map((f) => ({
      name: f.name,
      label: f.name,
      type: f.type ?? 'string',
      nillable: !f.required && f.name !== 'Id',
      createable: f.name !== 'Id',
      updateable: f.name !== 'Id',
      defaultedOnCreate: f.name === 'Id',
      externalId: !!f.externalId,
      idLookup: !!f.externalId || f.name === 'Id',
      unique: !!f.externalId,
    })),
  };
}
