import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProcessMetrics } from './process-metrics';

/**
 * A bare HTTP server answering GET /metrics, for processes without Express (the worker).
 * Resolves once listening; rejects when the port cannot be bound (e.g. EADDRINUSE).
 */
export function serveMetrics(metrics: ProcessMetrics, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The worker's metrics endpoint: port 0 means off. A port already taken (several workers on one
 * machine left at the default) only costs that worker its metrics, never its deliveries.
 */
export async function startMetricsEndpoint(metrics: ProcessMetrics, port: number, logger: Log): Promise<Server | undefined> {
  if (port === 0) return undefined;
  try {
    const server = await serveMetrics(metrics, port);
    logger.info({ port }, 'metrics at GET /metrics');
    return server;
  } catch (err) {
    logger.warn({ port, err: (err as Error).message }, 'metrics endpoint not started: set METRICS_PORT to a free port (0 = off)');
    return undefined;
  }
}
