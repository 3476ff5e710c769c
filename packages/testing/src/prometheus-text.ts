/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on
 * any line Prometheus would reject, so "it parses" means something.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', '\\': '\\', '"': '"' };
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const fail = (n: number, why: string): never => {
    throw new Error(`line ${n + 1} is not valid Prometheus exposition: ${why}`);
  };
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (!NAME.test(name)) fail(n, `bad metric name ${name}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail(n, `unknown type ${rest}`);
        if (family(name).samples.length) fail(n, `TYPE of ${name} after its samples`);
        family(name).type = rest;
      } else family(name).help = rest;
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, (why) => fail(n, why));
    const owner = [...families.values()].find((f) => f.name === sample.name || (SUFFIXES[f.type] ?? []).some((s) => f.name + s === sample.name));
    (owner ?? family(sample.name)).samples.push(sample);
  });
  return families;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) fail(`cannot read sample "${line}"`);
  const [, name, rawLabels, rawValue] = m!;
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case.
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(rawValue);
  const value = special ? (special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(rawValue);
  if (Number.isNaN(value) && !special) fail(`bad value ${rawValue}`);
  return { name, labels: rawLabels ? parseLabels(rawLabels.slice(1, -1), fail) : {}, value };
}

function parseLabels(body: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    const key = body.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(key) || body[eq + 1] !== '"') fail(`bad label near "${body.slice(i)}"`);
    let value = '';
    let j = eq + 2;
    for (; j < body.length && body[j] !== '"'; j++) {
      if (body[j] !== '\\') value += body[j];
      else value += ESCAPES[body[++j]] ?? fail(`bad escape in label ${key}`);
    }
    if (j >= body.length) fail(`unterminated value of label ${key}`);
    if (key in labels) fail(`label ${key} twice`);
    labels[key] = value;
    i = j + 1;
    if (body[i] === ',') i++;
    else if (i < body.length) fail(`expected , after label ${key}`);
  }
  return labels;
}

/** The value of the sample with exactly these labels (a subset match), or undefined. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    const s = f.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    if (s) return s.value;
  }
  return undefined;
}
