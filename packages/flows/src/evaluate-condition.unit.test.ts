import type { ConditionNode } from './conditions';
import { evaluateCondition, MAX_MATCH_INPUT } from './evaluate-condition';
import { makeLead } from './__tests__/lead';

const lead = makeLead({
  country: 'DE',
  email: 'ada@example.com',
  score: 42,
  scoreText: '42',
  empty: '',
  nothing: null,
  tags: ['vip', 'b2b'],
  scores: [1, 5],
  due: '2024-06-01T00:00:00Z',
  address: { city: 'Berlin', zip: '10115' },
  active: true,
});

const leaf = (field: string, op: string, value?: unknown): ConditionNode => (value === undefined ? { field, op } : { field, op, value }) as ConditionNode;

describe('evaluateCondition', () => {
  it.each<[string, ConditionNode, boolean]>([
    // eq / neq
    ['eq on an equal string', leaf('data.country', 'eq', 'DE'), true],
    ['eq is case-sensitive', leaf('data.country', 'eq', 'de'), false],
    ['eq on a number', leaf('data.score', 'eq', 42), true],
    ['eq compares a numeric string with a number', leaf('data.scoreText', 'eq', 42), true],
    ['eq compares a number with a numeric string', leaf('data.score', 'eq', '42'), true],
    ['eq on a boolean', leaf('data.active', 'eq', true), true],
    ['eq does not equate true with "true"', leaf('data.active', 'eq', 'true'), false],
    ['eq null on a null field', leaf('data.nothing', 'eq', null), true],
    ['eq on a missing field', leaf('data.missing', 'eq', 'DE'), false],
    ['eq null on a missing field', leaf('data.missing', 'eq', null), false],
    ['eq on an array field', leaf('data.tags', 'eq', 'vip'), false],
    ['eq on a nested path', leaf('data.address.city', 'eq', 'Berlin'), true],
    ['eq on an array index', leaf('data.tags.1', 'eq', 'b2b'), true],
    ['eq on source', leaf('source', 'eq', 'webform'), true],
    ['eq on externalId', leaf('externalId', 'eq', 'ext-1'), true],
    ['eq on id', leaf('id', 'eq', 'lead_1'), true],
    ['eq on createdAt as ISO', leaf('createdAt', 'eq', '2024-05-01T10:00:00.000Z'), true],
    ['neq on another value', leaf('data.country', 'neq', 'US'), true],
    ['neq on the same value', leaf('data.country', 'neq', 'DE'), false],
    ['neq on a missing field', leaf('data.missing', 'neq', 'US'), true],
    // in
    ['in with the value listed', leaf('data.country', 'in', ['FR', 'DE']), true],
    ['in without the value listed', leaf('data.country', 'in', ['FR', 'US']), false],
    ['in with a numeric string', leaf('data.scoreText', 'in', [1, 42]), true],
    ['in with an array field sharing an element', leaf('data.tags', 'in', ['vip', 'x']), true],
    ['in with an array field sharing none', leaf('data.tags', 'in', ['x']), false],
    ['in on a missing field', leaf('data.missing', 'in', ['DE']), false],
    // contains
    ['contains a substring', leaf('data.email', 'contains', '@example.'), true],
    ['contains is case-sensitive', leaf('data.email', 'contains', 'EXAMPLE'), false],
    ['contains a number in text', leaf('data.address.zip', 'contains', 101), true],
    ['contains an array element', leaf('data.tags', 'contains', 'vip'), true],
    ['contains no such element', leaf('data.tags', 'contains', 'vi'), false],
    ['contains a number element', leaf('data.scores', 'contains', 5), true],
    ['contains on a number field', leaf('data.score', 'contains', 4), false],
    ['contains on an object', leaf('data.address', 'contains', 'city'), false],
    ['contains on a missing field', leaf('data.missing', 'contains', 'x'), false],
    // exists
    ['exists on a present field', leaf('data.country', 'exists'), true],
    ['exists on a missing field', leaf('data.missing', 'exists'), false],
    ['exists on null', leaf('data.nothing', 'exists'), false],
    ['exists on an empty string', leaf('data.empty', 'exists'), false],
    ['exists false on a missing field', leaf('data.missing', 'exists', false), true],
    ['exists false on a present field', leaf('data.country', 'exists', false), false],
    ['exists on a prototype member', leaf('data.constructor', 'exists'), false],
    ['exists on __proto__', leaf('data.__proto__', 'exists'), false],
    ['exists below a scalar', leaf('data.country.length', 'exists'), false],
    // gt / lt
    ['gt a smaller number', leaf('data.score', 'gt', 10), true],
    ['gt an equal number', leaf('data.score', 'gt', 42), false],
    ['gt a larger number', leaf('data.score', 'gt', 50), false],
    ['gt on a numeric string', leaf('data.scoreText', 'gt', 41.5), true],
    ['lt a larger number', leaf('data.score', 'lt', 50), true],
    ['lt a smaller number', leaf('data.score', 'lt', 10), false],
    ['gt on text', leaf('data.country', 'gt', 1), false],
    ['gt on an empty string', leaf('data.empty', 'gt', -1), false],
    ['lt on a missing field', leaf('data.missing', 'lt', 100), false],
    ['gt an earlier date', leaf('data.due', 'gt', '2024-05-31'), true],
    ['lt an earlier date', leaf('data.due', 'lt', '2024-05-31'), false],
    ['lt a later date-time with offset', leaf('data.due', 'lt', '2024-06-01T01:00:00+00:30'), true],
    ['gt on createdAt', leaf('createdAt', 'gt', '2024-05-01T09:59:59Z'), true],
    ['lt on createdAt', leaf('createdAt', 'lt', '2024-05-01'), false],
    ['gt a date on a number', leaf('data.score', 'gt', '2024-01-01'), false],
    ['gt a number on a date string', leaf('data.due', 'gt', 5), false],
    // matches
    ['matches a pattern', leaf('data.email', 'matches', '@example\\.(com|org)$'), true],
    ['matches no match', leaf('data.email', 'matches', '^bob@'), false],
    ['matches a number as text', leaf('data.score', 'matches', '^4\\d$'), true],
    ['matches on an array', leaf('data.tags', 'matches', 'vip'), false],
    ['matches on a missing field', leaf('data.missing', 'matches', '.*'), false],
    ['matches refuses a stored backreference (not RE2)', leaf('data.email', 'matches', '(a)\\1'), false],
    ['matches runs a nested quantifier in linear time', leaf('data.email', 'matches', '^(a|[a-z.@]+)+$'), true],
    ['matches refuses a broken stored pattern', leaf('data.email', 'matches', '('), false],
    // unknown op from a stored flow
    ['an unknown op', leaf('data.country', 'like', 'DE'), false],
  ])('%s → %s', (_name, node, expected) => {
    expect(evaluateCondition(node, lead)).toBe(expected);
  });

  const de = leaf('data.country', 'eq', 'DE');
  const us = leaf('data.country', 'eq', 'US');
  it.each<[string, ConditionNode, boolean]>([
    ['all true', { all: [de, leaf('data.score', 'gt', 1)] }, true],
    ['all with one false', { all: [de, us] }, false],
    ['any with one true', { any: [us, de] }, true],
    ['any all false', { any: [us, leaf('data.missing', 'exists')] }, false],
    ['all of any', { all: [{ any: [us, de] }, { any: [de] }] }, true],
    ['any of all', { any: [{ all: [de, us] }, { all: [us] }] }, false],
    ['deep nesting', { all: [{ any: [{ all: [{ any: [de] }] }] }] }, true],
  ])('groups: %s → %s', (_name, node, expected) => {
    expect(evaluateCondition(node, lead)).toBe(expected);
  });

  it('accepts createdAt given as a string', () => {
    const stored = makeLead({}, { createdAt: '2024-05-01T10:00:00.000Z' });
    expect(evaluateCondition(leaf('createdAt', 'lt', '2024-05-02'), stored)).toBe(true);
  });

  it('takes about as long on an 800-digit value with \\d*\\d*\\d*x as with a plain pattern', () => {
    // Relative to a baseline in the same run: a backtracking engine took ~13 s here.
    const digits = makeLead({ n: '1'.repeat(800) });
    const timeOf = (pattern: string) => {
      const node = leaf('data.n', 'matches', pattern);
      evaluateCondition(node, digits);
      const started = performance.now();
      for (let i = 0; i < 20; i++) expect(evaluateCondition(node, digits)).toBe(false);
      return (performance.now() - started) / 20;
    };
    const baseline = timeOf('^2');
    const hostile = timeOf('\\d*\\d*\\d*x');
    expect(hostile).toBeLessThan(Math.max(baseline * 50, 2));
  });

  it('tests only the first MAX_MATCH_INPUT characters of a long value', () => {
    const long = makeLead({ text: 'a'.repeat(MAX_MATCH_INPUT) + 'needle' });
    expect(evaluateCondition(leaf('data.text', 'matches', 'needle'), long)).toBe(false);
    expect(evaluateCondition(leaf('data.text', 'matches', '^a+$'), long)).toBe(true);
  });
});
