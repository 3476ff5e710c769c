import { conditionSchema, CONDITION_LIMITS } from './conditions';

function issuesOf(input: unknown) {
  const result = conditionSchema.safeParse(input);
  if (result.success) throw new Error('expected the condition to be refused');
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function nested(levels: number): unknown {
  let node: unknown = { field: 'data.country', op: 'eq', value: 'DE' };
  for (let i = 0; i < levels; i++) node = { all: [node] };
  return node;
}

describe('conditionSchema', () => {
  it.each([
    ['a leaf', { field: 'data.country', op: 'eq', value: 'DE' }],
    // Linear-time matching: patterns that backtrack exponentially elsewhere are harmless here.
    ['matches with (a+)+$', { field: 'data.x', op: 'matches', value: '(a+)+$' }],
    ['matches with \\d*\\d*\\d*x', { field: 'data.x', op: 'matches', value: '\\d*\\d*\\d*x' }],
    [
      'nested groups',
      {
        all: [
          {
            any: [
              { field: 'source', op: 'eq', value: 'form' },
              { field: 'data.score', op: 'gt', value: 10 },
            ],
          },
        ],
      },
    ],
    ['in with a list', { field: 'data.country', op: 'in', value: ['DE', 'FR', 1, null] }],
    ['exists without a value', { field: 'data.phone', op: 'exists' }],
    ['exists false', { field: 'data.phone', op: 'exists', value: false }],
    ['gt with an ISO date', { field: 'createdAt', op: 'gt', value: '2024-01-01' }],
    ['lt with an ISO date-time', { field: 'data.due', op: 'lt', value: '2024-01-01T10:00:00Z' }],
    ['a safe regex', { field: 'data.email', op: 'matches', value: '@example\\.(com|org)$' }],
    ['an array index path', { field: 'data.tags.0', op: 'eq', value: 'vip' }],
    ['the deepest nesting allowed', nested(CONDITION_LIMITS.maxDepth - 1)],
  ])('accepts %s', (_name, input) => {
    expect(conditionSchema.safeParse(input).success).toBe(true);
  });

  it.each([
    ['an unknown op', { all: [{ field: 'data.country', op: 'like', value: 'DE' }] }, 'all.0.op', /Invalid option/],
    ['a leaf without field', { any: [{ op: 'eq', value: 'DE' }] }, 'any.0.field', /needs a field/],
    ['a leaf without op', { field: 'data.x', value: 1 }, 'op', /needs an op/],
    ['an empty field', { field: ' ', op: 'exists' }, 'field', /must name a field/],
    ['a field outside the lead', { field: 'country', op: 'eq', value: 'DE' }, 'field', /data\.country/],
    ['a path below a scalar lead field', { field: 'source.x', op: 'eq', value: 'DE' }, 'field', /no fields below/],
    ['an empty path segment', { field: 'data..x', op: 'exists' }, 'field', /empty segments/],
    ['in without an array', { field: 'data.country', op: 'in', value: 'DE' }, 'value', /non-empty array/],
    ['in with an empty array', { field: 'data.country', op: 'in', value: [] }, 'value', /non-empty array/],
    ['in with objects', { field: 'data.country', op: 'in', value: [{}] }, 'value', /must be strings/],
    ['eq without a value', { field: 'data.country', op: 'eq' }, 'value', /needs a string/],
    ['eq with an object', { field: 'data.country', op: 'eq', value: { a: 1 } }, 'value', /needs a string/],
    ['contains with an array', { field: 'data.tags', op: 'contains', value: ['a'] }, 'value', /needs a string/],
    ['gt with text', { field: 'data.score', op: 'gt', value: 'ten' }, 'value', /number or an ISO-8601/],
    ['lt with an invalid date', { field: 'data.due', op: 'lt', value: '2024-13-45' }, 'value', /number or an ISO-8601/],
    ['exists with a string', { field: 'data.x', op: 'exists', value: 'yes' }, 'value', /optional boolean/],
    ['matches without a string', { field: 'data.x', op: 'matches', value: 5 }, 'value', /regular expression string/],
    ['matches with a broken pattern', { field: 'data.x', op: 'matches', value: '(' }, 'value', /not a regular expression this service can run/],
    ['matches with a backreference', { all: [{ field: 'data.x', op: 'matches', value: '(a)\\1' }] }, 'all.0.value', /backreferences and lookaround/],
    ['matches with a lookahead', { field: 'data.x', op: 'matches', value: 'a(?=b)' }, 'value', /backreferences and lookaround/],
    ['matches with a huge program', { field: 'data.x', op: 'matches', value: '[\\p{L}]{1,1000}x' }, 'value', /more than the 200 allowed/],
    ['matches with a long pattern', { field: 'data.x', op: 'matches', value: 'a'.repeat(201) }, 'value', /at most 200/],
    ['an empty all', { all: [] }, 'all', /at least one/],
    ['both all and any', { all: [nested(0)], any: [nested(0)] }, '', /not several at once/],
    ['a group with a field', { all: [nested(0)], field: 'data.x', op: 'exists' }, '', /not several at once/],
    ['an empty object', { any: [{}] }, 'any.0', /needs \{all/],
    ['an unknown key', { field: 'data.x', op: 'exists', flags: 'i' }, '', /Unrecognized key/],
    ['a non-object', { all: ['data.x'] }, 'all.0', /expected object/],
  ])('refuses %s, naming the path', (_name, input, path, message) => {
    expect(issuesOf(input)).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });

  it('refuses a tree 10 000 levels deep with the depth limit instead of overflowing the stack', () => {
    let text = '{"field":"data.x","op":"exists"}';
    for (let i = 0; i < 10_000; i++) text = `{"all":[${text}]}`;
    expect(issuesOf(JSON.parse(text))).toEqual([
      { path: expect.stringMatching(/^(all\.0\.)+all\.0$/), message: `conditions nest at most ${CONDITION_LIMITS.maxDepth} levels deep` },
    ]);
  });

  it('refuses nesting deeper than the limit, naming the level', () => {
    const issues = issuesOf(nested(CONDITION_LIMITS.maxDepth));
    expect(issues).toEqual([
      {
        path: Array(CONDITION_LIMITS.maxDepth - 1)
          .fill('all.0')
          .join('.'),
        message: expect.stringMatching(/at most 10 levels/),
      },
    ]);
  });

  it('refuses a tree with too many conditions in total', () => {
    const group = { any: Array.from({ length: 100 }, () => nested(0)) };
    const issues = issuesOf({ all: [group, group, group, group, group, group] });
    expect(issues).toEqual([{ path: '', message: expect.stringMatching(/at most 500 conditions/) }]);
  });

  it('refuses a group with too many children', () => {
    expect(issuesOf({ all: Array.from({ length: 101 }, () => nested(0)) })[0].path).toBe('all');
  });

  it('trims the field name', () => {
    expect(conditionSchema.parse({ field: ' data.x ', op: 'exists' })).toEqual({ field: 'data.x', op: 'exists' });
  });
});
