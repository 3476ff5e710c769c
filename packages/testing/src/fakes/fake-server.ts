import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a scripted route answers instead of its normal behaviour. */
export type ScriptedAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer (drives client timeouts). */
  | { hang: true }
  /** Destroy the socket without answering (drives ECONNRESET). */
  | { reset: true }
  /** Wait, then answer normally (`then` omitted) or as scripted. */
  | { delayMs: number; then?: ScriptedAnswer };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON or form body; raw string otherwise. */
  body: any;
  rawBody: string;
  /** The route name it matched, e.g. "sobject.create". */
  route: string | null;
}

export interface FakeRequest extends RecordedRequest {
  params: Record<string, string>;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/**
 * A small programmable HTTP server that fake CRMs are built on: named routes with normal
 * behaviour, plus per-route scripts (a sequence of answers, then a default) for failure tests.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly scripts = new Map<string, { queue: ScriptedAnswer[]; fallback?: ScriptedAnswer }>();
  private readonly sockets = new Set<Socket>();
  private server?: http.Server;
  url = '';

  /** `path` like "/services/data/:version/sobjects/:object"; `:name*` matches the rest, slashes included. */
  route(name: string, method: string, path: string, handler: RouteHandler): this {
    const keys: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          const greedy = part.endsWith('*');
          keys.push(part.slice(1).replace(/\*$/, ''));
          return greedy ? '(.+)' : '([^/]+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ name, method, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  /** The next calls to `route` get `answers` in order, then `fallback` for ever (or normal behaviour). */
  script(route: string, answers: ScriptedAnswer[], fallback?: ScriptedAnswer): this {
    if (!this.routes.some((r) => r.name === route)) throw new Error(`no route named ${route}`);
    this.scripts.set(route, { queue: [...answers], fallback });
    return this;
  }

  /** Forgets scripts and recorded requests (state such as stored records stays). */
  resetScripts(): void {
    this.scripts.clear();
    this.requests.length = 0;
  }

  callsTo(route: string): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const matched = this.match(req.method ?? 'GET', url.pathname);
    const recorded: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
      route: matched?.route.name ?? null,
      params: matched?.params ?? {},
    };
    const { params: _params, ...forLog } = recorded;
    this.requests.push(forLog);
    if (!matched) return send(res, { status: 404, body: { error: `no route for ${req.method} ${url.pathname}` } });
    const scripted = this.nextScripted(matched.route.name);
    await this.answer(res, scripted, () => matched.route.handler(recorded));
  }

  private async answer(res: http.ServerResponse, scripted: ScriptedAnswer | undefined, normal: () => FakeResponse | Promise<FakeResponse>): Promise<void> {
    if (!scripted) return send(res, await normal());
    if ('hang' in scripted) return; // the socket is destroyed by stop() or the client's timeout
    if ('reset' in scripted) return void res.socket?.destroy();
    if ('delayMs' in scripted) {
      await new Promise((r) => setTimeout(r, scripted.delayMs));
      return this.answer(res, scripted.then, normal);
    }
    return send(res, scripted);
  }

  private nextScripted(route: string): ScriptedAnswer | undefined {
    const script = this.scripts.get(route);
    if (!script) return undefined;
    return script.queue.length ? script.queue.shift() : script.fallback;
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      return { route, params };
    }
    return undefined;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): any {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function send(res: http.ServerResponse, answer: FakeResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers };
  let payload = '';
  if (answer.body !== undefined) {
    payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    headers['content-type'] ??= typeof answer.body === 'string' ? 'text/plain' : 'application/json';
  }
  res.writeHead(answer.status, headers);
  res.end(payload);
}
