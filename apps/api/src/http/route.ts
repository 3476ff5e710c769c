import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';

/** `adminPage`: the admin token as a bearer, or the session cookie a browser gets at /admin/login. */
export type Auth = 'apiKey' | 'admin' | 'adminPage' | 'none';

export interface Reply {
  description: string;
  /** A JSON body; omitted for an empty answer. */
  schema?: z.ZodType;
  /** A non-JSON body (HTML, Prometheus text). */
  contentType?: string;
}

/**
 * One route of docs/api.md: what Express registers (method, path) and what the OpenAPI document
 * shows, with the zod schemas its handler validates with. Authentication is applied by app.ts
 * per mount (before any body is read); `auth` names which one, and the live document test
 * holds every route to it.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express style: /v1/leads/:id. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Request headers, by their HTTP name. */
  headers?: Record<string, z.ZodType>;
  responses: Record<number, Reply>;
  /** Error answers beyond the ones every such route has (see openapi/build-document.ts). */
  errors?: number[];
}

/** A router's routes by name; openapi/api-routes.ts gathers every table into the document. */
export type RouteTable = Record<string, ApiRoute>;

/** A handler of a declared route; its path's `:params` are strings (Express 5 types allow string[] for wildcards, which these paths have none of). */
export type RouteHandler = RequestHandler<Record<string, string>>;

type Handlers = RouteHandler | RouteHandler[];

/** Registers one declared route with its handlers (middleware first). */
export function route(router: Router, declared: ApiRoute, ...handlers: RouteHandler[]): void {
  router[declared.method](declared.path, ...(handlers as RequestHandler[]));
}

/**
 * A router serving exactly the routes of `table`, in its order: each needs a handler (a missing
 * one does not compile), and a handler cannot be registered without a declaration.
 */
export function routerOf<T extends RouteTable>(table: T, handlers: { [K in keyof T]: Handlers }): Router {
  const router = Router();
  for (const [name, declared] of Object.entries(table)) route(router, declared, ...[handlers[name as keyof T]].flat());
  return router;
}

/** A reply with a JSON body. */
export const json = (description: string, schema: z.ZodType): Reply => ({ description, schema });
