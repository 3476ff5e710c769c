import type { ProcessMetrics } from '@crm-push/metrics';
import { Router } from 'express';
import { route, type RouteTable } from '../http/route';

export const METRICS_ROUTES = {
  scrape: {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    auth: 'none',
    responses: { 200: { description: 'Prometheus text exposition format.', contentType: 'text/plain; version=0.0.4' } },
  },
} satisfies RouteTable;

/**
 * GET /metrics, Prometheus text format, without auth as Prometheus expects: it carries counts
 * and queue names only (no lead data, no account names). Keep it off the public internet at
 * the proxy if that matters to you. This is the api process's view: ingest counters and the
 * queue gauges; each worker serves its own delivery counters on METRICS_PORT.
 */
export function metricsRouter(metrics: ProcessMetrics): Router {
  const router = Router();
  route(router, METRICS_ROUTES.scrape, async (_req, res) => {
    const text = await metrics.scrape();
    res.set('content-type', metrics.contentType).send(text);
  });
  return router;
}
