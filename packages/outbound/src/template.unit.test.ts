import { isTemplate, MAX_TEMPLATE_LENGTH, renderTemplate, validateTemplate } from './template';
import { TemplateError } from './template-error';

// A lead's template context as leadTemplateContext (@crm-push/crm) builds it.
const lead = {
  id: 'lead_1',
  data: { email: 'Ada@Example.com', name: { first: 'Ada', last: 'Lovelace' }, tags: ['a', 'b'] },
  source: 'webform',
  externalId: null,
  createdAt: '2024-03-05T10:00:00.000Z',
};

describe('renderTemplate', () => {
  it.each([
    ['{{data.email}}', 'Ada@Example.com'],
    ['{{ data.email | downcase }}', 'ada@example.com'],
    ['{{data.name.first}} {{data.name.last}}', 'Ada Lovelace'],
    ['{{source}}/{{id}}', 'webform/lead_1'],
    ['{{createdAt}}', '2024-03-05T10:00:00.000Z'],
    ['{{ createdAt | date: "%Y-%m-%d" }}', '2024-03-05'],
    ['{{ data.tags | join: "," }}', 'a,b'],
    ['{% if data.email %}has email{% endif %}', 'has email'],
    ['plain text', 'plain text'],
  ])('renders %s over a lead', (template, expected) => {
    expect(renderTemplate(template, lead)).toBe(expected);
  });

  it('renders unknown variables and missing paths as empty', () => {
    expect(renderTemplate('[{{data.nope.deeper}}][{{externalId}}][{{whatever}}]', lead)).toBe('[][][]');
  });

  it('does not expose prototype members of the data', () => {
    expect(renderTemplate('[{{data.constructor}}][{{data.hasOwnProperty}}][{{data.__proto__}}]', lead)).toBe('[][][]');
  });

  it('works over any context, not only leads', () => {
    expect(renderTemplate('Hi {{user.name}}', { user: { name: 'Bo' } })).toBe('Hi Bo');
  });

  it('gives the same answer from its cache on a second call', () => {
    const template = '{{ data.email | upcase }}!';
    expect(renderTemplate(template, lead)).toBe('ADA@EXAMPLE.COM!');
    expect(renderTemplate(template, { data: { email: 'x@y.z' } })).toBe('X@Y.Z!');
  });

  it('throws TemplateError for an unknown filter', () => {
    expect(() => renderTemplate('{{ data.email | shout }}', lead)).toThrow(TemplateError);
    expect(() => renderTemplate('{{ data.email | shout }}', lead)).toThrow(/undefined filter: shout/);
  });

  it.each(['{% include "/etc/passwd" %}', '{% render "secrets" %}', '{% layout "base" %}'])('refuses %s: templates never reach the file system', (template) => {
    expect(() => renderTemplate(template, lead)).toThrow(TemplateError);
  });

  it('refuses a loop over a huge range instead of spinning', () => {
    expect(() => renderTemplate('{% for i in (1..100000000) %}x{% endfor %}', {})).toThrow(/failed to render/);
  });

  it('refuses a template that doubles a string until it is huge', () => {
    const doubling = '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}';
    expect(() => renderTemplate(doubling, {})).toThrow(TemplateError);
  });

  it('refuses output over the limit', () => {
    const big = { text: 'x'.repeat(60_000) };
    expect(() => renderTemplate('{{text}}{{text}}', big)).toThrow(/output is longer/);
  });
});

describe('validateTemplate', () => {
  it('answers null for a template that parses', () => {
    expect(validateTemplate('Hello {{ data.firstName | capitalize }}')).toBeNull();
  });

  it.each([
    ['{{ data.email ', /not closed/],
    ['{{ data.email | shout }}', /undefined filter: shout/],
    ['{% if data.x %}no end', /not closed/],
    ['{% include "x" %}', /tag "include" not found/],
    ['{% nosuchtag %}', /tag "nosuchtag" not found/],
  ])('explains why %s does not parse', (template, reason) => {
    expect(validateTemplate(template)).toMatch(reason);
  });

  it('refuses a template longer than the limit', () => {
    expect(validateTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1))).toMatch(/longer than/);
  });
});

describe('isTemplate', () => {
  it.each([
    ['{{data.email}}', true],
    ['{% if x %}y{% endif %}', true],
    ['address.city', false],
    ['$source', false],
  ])('%s → %s', (text, expected) => {
    expect(isTemplate(text)).toBe(expected);
  });
});
