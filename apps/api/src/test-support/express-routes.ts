import type { Express } from 'express';

/** What Express 5's router keeps of each layer (router 2.x): enough to list the routes it serves. */
interface RouterLayer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  /** A router has a stack; a mounted Express app (Bull Board) has `set`. */
  handle?: { stack?: RouterLayer[]; set?: unknown };
}

/**
 * Every `METHOD /path` the app routes, read from the app's own router, so a route added to
 * Express but not to the OpenAPI document cannot hide from a test. Paths are in OpenAPI's
 * `{param}` form; `ALL` stands for `router.all`, and a mounted app (Bull Board) for all of them.
 */
export function expressRoutes(app: Express): string[] {
  const root = (app as unknown as { router: { stack: RouterLayer[] } }).router;
  const routes = new Set<string>();
  walk(root.stack, '', routes);
  return [...routes].sort();
}

function walk(stack: RouterLayer[], prefix: string, routes: Set<string>): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const method of Object.keys(layer.route.methods)) {
          routes.add(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${toOpenApi(prefix + path)}`);
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, prefix + mount, routes);
    } else if (typeof layer.handle?.set === 'function' && typeof layer.rawPath === 'string') {
      routes.add(`ALL ${toOpenApi(prefix + layer.rawPath)}`);
    }
  }
}

function toOpenApi(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
