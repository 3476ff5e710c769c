import { validateMapping } from './apply-mapping';
import { fieldMappingSchema } from './field-rule';

describe('validateMapping', () => {
  it('accepts a good mapping and returns the parsed (trimmed) rules', () => {
    const result = validateMapping([
      { from: ' email ', to: 'Email', transform: ['trim', 'lowercase'], required: true },
      { from: '{{data.first}} {{data.last}}', to: 'contact.name' },
      { from: '$source', to: 'LeadSource', default: 'web' },
      { from: 'address.city', to: 'contact.city' },
    ]);
    expect(result).toEqual({
      ok: true,
      rules: [
        { from: 'email', to: 'Email', transform: ['trim', 'lowercase'], required: true },
        { from: '{{data.first}} {{data.last}}', to: 'contact.name' },
        { from: '$source', to: 'LeadSource', default: 'web' },
        { from: 'address.city', to: 'contact.city' },
      ],
    });
  });

  it('accepts an empty mapping', () => {
    expect(validateMapping([])).toEqual({ ok: true, rules: [] });
  });

  const good = { from: 'email', to: 'Email' };

  it.each<[string, unknown, (string | number)[], RegExp]>([
    ['an unknown transform', [good, { from: 'name', to: 'Name', transform: ['trim', 'shout'] }], [1, 'transform', 1], /trim/],
    ['an empty target', [{ from: 'email', to: '' }], [0, 'to'], /must name the destination field/],
    ['a blank target', [good, { from: 'email', to: '   ' }], [1, 'to'], /must name the destination field/],
    ['an empty source', [{ from: '', to: 'Email' }], [0, 'from'], /must name a field or a \{\{template\}\}/],
    ['a template that does not parse', [good, { from: '{{ data.email ', to: 'X' }], [1, 'from'], /not closed/],
    ['a template with an unknown filter', [{ from: '{{ data.email | shout }}', to: 'X' }], [0, 'from'], /undefined filter: shout/],
    ['a template that includes a file', [{ from: '{% include "/etc/passwd" %}', to: 'X' }], [0, 'from'], /tag "include" not found/],
    ['a duplicate target', [good, { from: 'email2', to: 'Other' }, { from: 'mail', to: 'Email' }], [2, 'to'], /"Email" is already the target of rule 0/],
    ['a duplicate target after trimming', [good, { from: 'mail', to: ' Email ' }], [1, 'to'], /already the target of rule 0/],
    [
      'a target inside another',
      [
        { from: 'a', to: 'contact' },
        { from: 'b', to: 'contact.email' },
      ],
      [1, 'to'],
      /"contact.email" overlaps "contact" \(rule 0\)/,
    ],
    [
      'a target around another',
      [
        { from: 'b', to: 'contact.email' },
        { from: 'a', to: 'contact' },
      ],
      [1, 'to'],
      /"contact" overlaps "contact.email"/,
    ],
    ['a target with an empty segment', [{ from: 'a', to: 'contact..email' }], [0, 'to'], /empty segment/],
    ['a prototype-polluting target', [{ from: 'a', to: '__proto__.isAdmin' }], [0, 'to'], /"__proto__" cannot be used/],
    ['a source with an empty segment', [{ from: 'address.', to: 'City' }], [0, 'from'], /empty segment/],
    ['an unknown lead field', [{ from: '$nope', to: 'X' }], [0, 'from'], /"\$nope" is not a lead field \(use one of \$id, \$source/],
    ['an unknown key', [{ ...good, transfrom: ['trim'] }], [0], /transfrom/],
    ['a default of the wrong type', [{ ...good, default: { a: 1 } }], [0, 'default'], /./],
    ['a non-boolean required', [{ ...good, required: 'yes' }], [0, 'required'], /boolean/],
    ['a rule that is not an object', [good, 'email->Email'], [1], /object/],
    ['something that is not a list', { from: 'email', to: 'Email' }, [], /array/],
  ])('refuses %s, naming the rule in the issue path', (_name, rules, path, message) => {
    const result = validateMapping(rules);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses more than 500 rules', () => {
    const rules = Array.from({ length: 501 }, (_, i) => ({ from: 'x', to: `f${i}` }));
    expect(validateMapping(rules).ok).toBe(false);
  });

  it('reports every bad rule, not only the first', () => {
    const result = validateMapping([{ from: '', to: 'A' }, good, { from: 'x', to: '' }]);
    expect(result.ok || result.issues.map((i) => i.path)).toEqual([
      [0, 'from'],
      [2, 'to'],
    ]);
  });

  it('reports a duplicate target beside another rule problem', () => {
    const result = validateMapping([
      { from: '$nope', to: 'A' },
      { from: 'x', to: 'A' },
    ]);
    expect(result.ok || result.issues.map((i) => i.path)).toEqual([
      [0, 'from'],
      [1, 'to'],
    ]);
  });

  it('agrees with fieldMappingSchema, which the api can embed in its own body schema', () => {
    expect(fieldMappingSchema.safeParse([good, good]).success).toBe(false);
    expect(fieldMappingSchema.safeParse([good]).success).toBe(true);
  });
});
