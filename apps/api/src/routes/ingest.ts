import { createIngester } from '@crm-push/delivery';
import { findSourceByToken, receiveCall, refuseCall, SourceError, sourceModule, type CallAnswer, type SourceRow } from '@crm-push/sources';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ApiError } from '../http/api-error';
import { json, type RouteTable } from '../http/route';
import { errorEnvelopeSchema } from '../openapi/response-schemas';
import type { ApiDeps } from './context';

const PREFLIGHT_MAX_AGE_S = 600;

/**
 * The two methods the document shows. Express serves /in/:token with one route for every method
 * (`router.all` below: the source's module decides what a method means), so this table is
 * registered by path rather than by routerOf.
 */
export const INGEST_ROUTES = {
  verify: {
    method: 'get',
    path: '/in/:token',
    tag: 'Ingest',
    summary: "Meta's webhook verification handshake",
    description: '`?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the challenge as text when the token matches, 403 otherwise.',
    auth: 'none',
    responses: { 200: { description: 'The challenge.', contentType: 'text/plain' }, 403: json('The verify token does not match.', errorEnvelopeSchema) },
  },
  receive: {
    method: 'post',
    path: '/in/:token',
    tag: 'Ingest',
    summary: 'A lead from a form, webhook or ad platform',
    description:
      "Body as the source's type takes it: form (urlencoded, multipart fields or JSON), webhook (JSON, Standard Webhooks signature when a secret is set), meta_lead_ads (a signed `leadgen` notification), google_ads (Google's lead form JSON). A repeat of the same lead answers the same success and stores nothing.",
    auth: 'none',
    responses: {
      200: { description: 'Accepted (ad platforms), or a duplicate.' },
      202: { description: 'A new lead (form, webhook).' },
      303: { description: 'A browser form post with `redirectUrl`: go there.' },
      401: json('Missing or bad signature: nothing stored.', errorEnvelopeSchema),
      403: json('Wrong google_key, a disabled source or an origin not allowed.', errorEnvelopeSchema),
      429: json('Over the source’s calls per minute (Retry-After).', errorEnvelopeSchema),
    },
    errors: [400, 413, 415, 503],
  },
} satisfies RouteTable;

function send(res: Response, answer: CallAnswer): void {
  if (answer.headers) res.set(answer.headers);
  res.status(answer.status);
  if (answer.text) return void res.type(answer.text.contentType).send(answer.text.body);
  if (answer.json !== undefined) return void res.json(answer.json);
  res.end();
}

function sourceOf(res: Response): SourceRow {
  return res.locals.source as SourceRow;
}

/** CORS for a form's allowed origins only; a browser post from any other origin is refused. */
function corsHeaders(source: SourceRow, origin: string | undefined): { headers: Record<string, string>; refused: boolean } {
  const allowed = sourceModule(source.type).corsOrigins?.(source.config as never);
  if (!allowed || !origin) return { headers: {}, refused: false };
  if (!allowed.includes(origin)) return { headers: {}, refused: true };
  return { headers: { 'access-control-allow-origin': origin, vary: 'Origin' }, refused: false };
}

/**
 * /in/<token>: the public ingest endpoint of every source. No API key: the unguessable token is
 * the key, so an unknown one is 404. The raw body is read here (limit per source type) and the
 * source's module decides everything else. Mounted before the JSON-only body handling.
 */
export function ingestRouter(deps: ApiDeps): Router {
  const router = Router();
  const ingest = createIngester(deps);
  const intake = { ...deps, ingest };
  const rawParsers = new Map<string, ReturnType<typeof express.raw>>();
  const rawFor = (type: string) => {
    if (!rawParsers.has(type)) rawParsers.set(type, express.raw({ type: () => true, limit: sourceModule(type).maxBodyBytes }));
    return rawParsers.get(type)!;
  };

  const resolve = async (req: Request, res: Response, next: NextFunction) => {
    const source = await findSourceByToken(deps.db, req.params.token as string);
    if (!source) return next(ApiError.notFound('source'));
    res.locals.source = source;
    res.locals.receivedAt = new Date();
    next();
  };

  // Per source, in this process (as the /v1 limit is): a public form cannot flood its account.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: (_req, res) => {
      const source = sourceOf(res);
      return (source.config as { rateLimitPerMinute?: number }).rateLimitPerMinute ?? sourceModule(source.type).defaultRateLimitPerMinute;
    },
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => sourceOf(res).id,
    handler: (_req, res, next) => {
      const err = new SourceError({ status: 429, code: 'RATE_LIMITED', message: 'too many calls to this source in a minute; retry later' });
      refuseCall(intake, sourceOf(res), err, res.locals.receivedAt as Date, { 'retry-after': '60' }).then((answer) => send(res, answer), next);
    },
  });

  const readBody = (req: Request, res: Response, next: NextFunction) => {
    rawFor(sourceOf(res).type)(req, res, (err?: unknown) => {
      const e = err as { type?: string; limit?: number } | undefined;
      if (e?.type === 'entity.too.large') {
        const refused = new SourceError({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds the ${e.limit}-byte limit of this source` });
        return void refuseCall(intake, sourceOf(res), refused, res.locals.receivedAt as Date).then((answer) => send(res, answer), next);
      }
      next(err);
    });
  };

  const { path } = INGEST_ROUTES.receive;
  router.options(path, resolve, (req, res) => {
    const { headers, refused } = corsHeaders(sourceOf(res), req.get('origin'));
    if (refused || !headers['access-control-allow-origin'])
      return void res.status(403).json({ error: { code: 'ORIGIN_NOT_ALLOWED', message: 'this origin may not post to this source' } });
    res
      .set({
        ...headers,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
      })
      .status(204)
      .end();
  });

  router.all(path, resolve, limiter, readBody, async (req, res) => {
    const source = sourceOf(res);
    const receivedAt = res.locals.receivedAt as Date;
    const cors = corsHeaders(source, req.get('origin'));
    if (cors.refused) {
      const err = new SourceError({
        status: 403,
        code: 'ORIGIN_NOT_ALLOWED',
        message: `origin ${req.get('origin')} is not among this source's allowedOrigins`,
      });
      return send(res, await refuseCall(intake, source, err, receivedAt));
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const answer = await receiveCall(intake, source, {
      method: req.method,
      headers,
      query: new URL(req.originalUrl, 'http://in').searchParams,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      receivedAt,
    });
    send(res, { ...answer, headers: { ...cors.headers, ...answer.headers } });
  });

  return router;
}
