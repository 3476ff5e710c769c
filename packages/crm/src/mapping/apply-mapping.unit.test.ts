import { DeliveryError, RenderBudget } from '@crm-push/outbound';
import { applyMapping, type MappingInput } from './apply-mapping';
import type { FieldRule, Transform } from './field-rule';

const lead: MappingInput = {
  id: 'lead_1',
  source: 'webform',
  externalId: 'ext-9',
  createdAt: new Date('2024-03-05T10:00:00Z'),
  data: {
    email: '  Ada@Example.COM ',
    fullName: '  Ada  King Lovelace ',
    singleName: 'Cher',
    phone: '+1 (555) 010-9999',
    localPhone: '(555) 010 9999 ext. 12',
    age: '36',
    score: 4.5,
    optIn: 'yes',
    address: { city: 'London', lines: ['12 St James Sq'] },
    blank: '   ',
    nothing: null,
  },
};

function mapOne(rule: Omit<FieldRule, 'to'>, input: MappingInput = lead): unknown {
  return applyMapping(input, [{ to: 'out', ...rule }]).out;
}

/** Expects applyMapping to throw a non-retryable MAPPING_ERROR whose message matches. */
function expectMappingError(run: () => unknown, message: RegExp | string): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DeliveryError);
  expect(thrown).toMatchObject({ code: 'MAPPING_ERROR', retryable: false });
  expect((thrown as Error).message).toMatch(message);
}

describe('applyMapping reading `from`', () => {
  it.each<[string, unknown]>([
    ['email', '  Ada@Example.COM '],
    ['address.city', 'London'],
    ['address.lines.0', '12 St James Sq'],
    ['score', 4.5],
    ['address', { city: 'London', lines: ['12 St James Sq'] }],
    ['$source', 'webform'],
    ['$externalId', 'ext-9'],
    ['$id', 'lead_1'],
    ['$createdAt', '2024-03-05T10:00:00.000Z'],
    ['{{data.address.city}}, UK', 'London, UK'],
    ['{{ data.email | strip | downcase }}', 'ada@example.com'],
    ['{{source}}:{{externalId}}', 'webform:ext-9'],
  ])('reads %s', (from, expected) => {
    expect(mapOne({ from })).toEqual(expected);
  });

  it.each(['missing', 'address.zip', 'address.city.deeper', 'email.length', 'constructor', '__proto__', 'address.lines.5'])(
    'treats the unknown path %s as empty, not as an error',
    (from) => {
      expect(applyMapping(lead, [{ from, to: 'out' }])).toEqual({});
    },
  );

  it('omits fields that stay empty, so the CRM keeps what it has', () => {
    expect(
      applyMapping(lead, [
        { from: 'blank', to: 'a' },
        { from: 'nothing', to: 'b' },
        { from: 'address.city', to: 'c' },
      ]),
    ).toEqual({
      c: 'London',
    });
  });

  it('treats a lead without source or createdAt as having none', () => {
    expect(
      applyMapping({ id: 'x', data: {} }, [
        { from: '$source', to: 'a' },
        { from: '$createdAt', to: 'b' },
      ]),
    ).toEqual({});
  });

  it('maps every rule of a typical destination in one record', () => {
    const rules: FieldRule[] = [
      { from: 'email', to: 'Email', transform: ['trim', 'lowercase'], required: true },
      { from: 'fullName', to: 'FirstName', transform: ['firstName'] },
      { from: 'fullName', to: 'LastName', transform: ['lastName'], default: '[not provided]', required: true },
      { from: 'company', to: 'Company', default: '[not provided]' },
      { from: 'phone', to: 'Phone', transform: ['digits'] },
      { from: '$source', to: 'LeadSource' },
    ];
    expect(applyMapping(lead, rules)).toEqual({
      Email: 'ada@example.com',
      FirstName: 'Ada',
      LastName: 'King Lovelace',
      Company: '[not provided]',
      Phone: '+15550109999',
      LeadSource: 'webform',
    });
  });
});

describe('applyMapping transforms', () => {
  it.each<[Transform[], unknown, unknown]>([
    [['trim'], '  a b  ', 'a b'],
    [['lowercase'], 'MiXeD', 'mixed'],
    [['uppercase'], 'MiXeD', 'MIXED'],
    [['trim', 'lowercase'], '  Ada@Example.COM ', 'ada@example.com'],
    [['digits'], '+1 (555) 010-9999', '+15550109999'],
    [['digits'], '(555) 010 9999 ext. 12', '555010999912'],
    [['digits'], '  +44 20 7946 0958', '+442079460958'],
    [['digits'], '555+123', '555123'],
    [['digits'], 5550109, '5550109'],
    [['firstName'], '  Ada  King Lovelace ', 'Ada'],
    [['lastName'], '  Ada  King Lovelace ', 'King Lovelace'],
    [['firstName'], 'Cher', 'Cher'],
    [['string'], 42, '42'],
    [['string'], true, 'true'],
    [['string'], { a: 1 }, '{"a":1}'],
    [['uppercase'], ['a', 'b'], '["A","B"]'],
    [['number'], '36', 36],
    [['number'], ' -4.5e2 ', -450],
    [['number'], '.5', 0.5],
    [['number'], 7, 7],
    [['boolean'], true, true],
    [['boolean'], false, false],
    [['boolean'], 'Yes', true],
    [['boolean'], 'on', true],
    [['boolean'], '1', true],
    [['boolean'], 1, true],
    [['boolean'], ' FALSE ', false],
    [['boolean'], 'no', false],
    [['boolean'], 0, false],
    [['trim', 'number'], ' 12 ', 12],
    [['number', 'string'], '12.50', '12.5'],
  ])('%j turns %j into %j', (transform, input, expected) => {
    expect(mapOne({ from: 'v', transform }, { id: 'l', data: { v: input } })).toEqual(expected);
  });

  it.each<[Transform[], unknown]>([
    [['lastName'], 'Cher'],
    [['digits'], 'no digits here'],
    [['digits'], '+'],
    [['trim'], '   '],
    [['firstName'], '   '],
  ])('%j leaves %j empty, so the field is omitted', (transform, input) => {
    expect(applyMapping({ id: 'l', data: { v: input } }, [{ from: 'v', to: 'out', transform }])).toEqual({});
  });

  it.each<[Transform, unknown]>([
    ['number', 'twelve'],
    ['number', '12abc'],
    ['number', '0x1f'],
    ['number', 'Infinity'],
    ['number', true],
    ['number', { n: 1 }],
    ['boolean', 'maybe'],
    ['boolean', 2],
    ['boolean', ['yes']],
  ])('fails the mapping when %s cannot read %j, naming the field', (transform, input) => {
    expectMappingError(
      () => applyMapping({ id: 'l', data: { v: input } }, [{ from: 'v', to: 'Score__c', transform: [transform] }]),
      `field "Score__c" expects a ${transform} but lead data at "v" is not one`,
    );
  });

  it('never puts the lead value in the error message', () => {
    expectMappingError(() => applyMapping({ id: 'l', data: { ssn: 'secret-123' } }, [{ from: 'ssn', to: 'n', transform: ['number'] }]), /^((?!secret-123).)*$/);
  });

  it('passes empty values through number and boolean to the default', () => {
    const rules: FieldRule[] = [
      { from: 'missing', to: 'n', transform: ['number'], default: 0 },
      { from: 'blank', to: 'b', transform: ['boolean'], default: false },
    ];
    expect(applyMapping(lead, rules)).toEqual({ n: 0, b: false });
  });
});

describe('applyMapping defaults and required', () => {
  it.each<[string, Transform[] | undefined, unknown]>([
    ['missing', undefined, 'fallback'],
    ['nothing', undefined, 'fallback'],
    ['blank', undefined, 'fallback'],
    ['blank', ['trim'], 'fallback'],
    ['singleName', ['lastName'], 'fallback'],
    ['{{data.missing}}', undefined, 'fallback'],
    ['{{data.missing}} {{data.alsoMissing}}', undefined, 'fallback'],
    ['address.city', undefined, 'London'],
  ])('from %s with %j gives %j', (from, transform, expected) => {
    expect(mapOne({ from, transform, default: 'fallback' })).toEqual(expected);
  });

  it('uses a default as given, without transforming it', () => {
    expect(mapOne({ from: 'missing', transform: ['uppercase'], default: 'unknown' })).toBe('unknown');
  });

  it.each([0, false, 'x'])('keeps the non-string default %j', (value) => {
    expect(mapOne({ from: 'missing', default: value, required: true })).toBe(value);
  });

  it('accepts a required field that has a value', () => {
    expect(mapOne({ from: 'address.city', required: true })).toBe('London');
  });

  it('accepts a required field that falls back to its default', () => {
    expect(mapOne({ from: 'missing', required: true, default: 'Unknown' })).toBe('Unknown');
  });

  it.each([
    ['missing', undefined],
    ['nothing', undefined],
    ['blank', undefined],
    ['singleName', ['lastName'] as Transform[]],
    ['phone', ['lowercase', 'firstName', 'lastName'] as Transform[]],
    ['{{data.missing}}', undefined],
  ])('fails a required field read from %s (%j) with MAPPING_ERROR naming it', (from, transform) => {
    expectMappingError(
      () =>
        applyMapping(lead, [
          { from: 'email', to: 'Email' },
          { from, to: 'LastName', transform, required: true },
        ]),
      `field "LastName" is required but lead data has no value at "${from}"`,
    );
  });

  it('fails with a blank string default as if there were none', () => {
    expectMappingError(() => applyMapping(lead, [{ from: 'missing', to: 'Company', default: ' ', required: true }]), /field "Company"/);
  });
});

describe('applyMapping with a dot path in `to`', () => {
  it('builds nested objects', () => {
    const rules: FieldRule[] = [
      { from: 'email', to: 'contact.email', transform: ['trim', 'lowercase'] },
      { from: 'fullName', to: 'contact.name.first', transform: ['firstName'] },
      { from: 'address.city', to: 'contact.address.city' },
      { from: '$source', to: 'meta.source' },
      { from: 'missing', to: 'meta.campaign' },
      { from: 'missing', to: 'skipped.entirely' },
    ];
    expect(applyMapping(lead, rules)).toEqual({
      contact: { email: 'ada@example.com', name: { first: 'Ada' }, address: { city: 'London' } },
      meta: { source: 'webform' },
    });
  });

  it('fails, naming the field, when a part of the path already holds a value', () => {
    expectMappingError(
      () =>
        applyMapping(lead, [
          { from: 'email', to: 'contact' },
          { from: 'email', to: 'contact.email' },
        ]),
      'field "contact.email" cannot be written',
    );
  });

  it.each(['__proto__.polluted', 'constructor.prototype.polluted', 'a..b'])('refuses the unsafe target %s', (to) => {
    expectMappingError(() => applyMapping(lead, [{ from: 'email', to }]), `field "${to}" cannot be written`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('applyMapping with a template that cannot work', () => {
  it('fails with MAPPING_ERROR naming the field when the template does not parse', () => {
    expectMappingError(() => applyMapping(lead, [{ from: '{{ data.email | shout }}', to: 'Email' }]), /field "Email": template does not parse/);
  });

  it('fails with MAPPING_ERROR naming the field when the template fails to render', () => {
    expectMappingError(
      () => applyMapping(lead, [{ from: '{% for i in (1..100000000) %}x{% endfor %}', to: 'Notes' }]),
      /field "Notes": template failed to render/,
    );
  });
});

describe('a mapping whose templates run out of time', () => {
  it('fails with MAPPING_ERROR that may be tried again; a template that cannot render may not', () => {
    const slow = '{% for i in (1..200000) %}{% endfor %}x';
    expect(() => applyMapping(lead, [{ to: 'out', from: slow }], new RenderBudget({ ms: 1 }))).toThrow(
      expect.objectContaining({ code: 'MAPPING_ERROR', retryable: true, message: expect.stringMatching(/field "out"/) }),
    );
    expect(() => applyMapping(lead, [{ to: 'out', from: '{{ data.email | no_such_filter }}' }])).toThrow(
      expect.objectContaining({ code: 'MAPPING_ERROR', retryable: false }),
    );
  });
});
