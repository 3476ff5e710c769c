import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { allLeadsSettled, freePort, parsePrometheusText, useStack } from '@crm-push/testing';

const OPS = path.resolve(__dirname, '../../../ops');
const RULES = path.join(OPS, 'prometheus/alerts.yml');
const DASHBOARD = path.join(OPS, 'grafana/crm-push.json');

/** Metric names in PromQL: ours (crm_push_*) and the process metrics prom-client serves. */
function metricNames(promql: string): string[] {
  return [...promql.matchAll(/\b(?:crm_push|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

function namedByRules(): string[] {
  const exprs = readFileSync(RULES, 'utf8')
    .split(/\n(?=\s*- alert:)/)
    .map((rule) => /expr:\s*\|?\s*([\s\S]*?)\n\s*(for|labels):/.exec(rule)?.[1] ?? '');
  return exprs.flatMap(metricNames);
}

function namedByDashboard(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
}

describe('the alert rules and the Grafana dashboard', () => {
  const t = useStack({ sinks: 1 });

  it('are valid Prometheus rules (promtool check rules)', async () => {
    const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', RULES]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('name only metrics that a running api and worker serve at /metrics', async () => {
    const api = await t.stack.startApi();
    const port = await freePort();
    await t.stack.startWorker({ METRICS_PORT: String(port) });
    const key = (await api.createAccount()).apiKey;
    await api.addDestination(key, `${t.sink.url}/leads`);
    expect((await api.call('POST', '/v1/leads', { key, body: { data: { email: 'ops@example.com', lastName: 'L' } } })).status).toBe(202);
    await allLeadsSettled(t.stack.database, 'the lead to be delivered');

    const served = new Set<string>();
    for (const url of [`${api.url}/metrics`, `http://127.0.0.1:${port}/metrics`]) {
      for (const name of parsePrometheusText(await (await fetch(url)).text()).keys()) served.add(name);
    }
    const named = [...new Set([...namedByRules(), ...namedByDashboard()])].sort();
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !served.has(n))).toEqual([]);
  }, 60_000);
});
