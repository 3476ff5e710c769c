import { parsePrometheusText, sampleValue } from './prometheus-text';

describe('parsePrometheusText', () => {
  it('reads families, labels with escapes, special values, and histogram series', () => {
    const families = parsePrometheusText(
      [
        '# HELP jobs Jobs by state.',
        '# TYPE jobs gauge',
        'jobs{queue="a\\"b\\\\c\\nd",state="waiting"} 3',
        'jobs{queue="x",} NaN',
        '# TYPE latency histogram',
        'latency_bucket{le="+Inf"} 2',
        'latency_sum 0.5',
        'latency_count 2',
        'up 1 1700000000000',
        '',
      ].join('\n'),
    );
    expect(families.get('jobs')).toMatchObject({ type: 'gauge', help: 'Jobs by state.' });
    expect(sampleValue(families, 'jobs', { queue: 'a"b\\c\nd' })).toBe(3);
    expect(sampleValue(families, 'jobs', { queue: 'x' })).toBeNaN();
    expect(families.get('latency')!.samples.map((s) => s.name)).toEqual(['latency_bucket', 'latency_sum', 'latency_count']);
    expect(sampleValue(families, 'latency_bucket', { le: '+Inf' })).toBe(2);
    expect(sampleValue(families, 'up')).toBe(1);
    expect(sampleValue(families, 'missing')).toBeUndefined();
  });

  it.each([
    ['a bad metric name', '1metric 1'],
    ['a value that is not a number', 'metric one'],
    ['an unquoted label value', 'metric{a=b} 1'],
    ['an unterminated label value', 'metric{a="b} 1'],
    ['a bad escape', 'metric{a="\\t"} 1'],
    ['a label given twice', 'metric{a="1",a="2"} 1'],
    ['an unknown type', '# TYPE metric thing'],
    ['a TYPE after the samples', 'metric 1\n# TYPE metric gauge'],
  ])('rejects %s', (_why, text) => {
    expect(() => parsePrometheusText(text)).toThrow(/line \d+ is not valid Prometheus exposition/);
  });
});
