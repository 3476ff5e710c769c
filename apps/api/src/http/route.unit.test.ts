import express from 'express';
import { expressRoutes } from '../test-support/express-routes';
import { json, routerOf, type RouteTable } from './route';
import { z } from 'zod';

describe('routerOf', () => {
  it('registers exactly the declared routes, in their order, each with its own handler', async () => {
    const table = {
      list: { method: 'get', path: '/v1/things', tag: 'T', summary: 'List', auth: 'none', responses: { 200: json('All.', z.object({})) } },
      erase: { method: 'delete', path: '/v1/things/:id', tag: 'T', summary: 'Erase', auth: 'none', responses: { 204: { description: 'Gone.' } } },
    } satisfies RouteTable;
    const app = express();
    app.use(
      routerOf(table, {
        list: (_req, res) => void res.json({ listed: true }),
        erase: (req, res) => void res.status(200).json({ erased: req.params.id }),
      }),
    );
    expect(expressRoutes(app)).toEqual(['DELETE /v1/things/{id}', 'GET /v1/things']);

    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      expect(await (await fetch(`${base}/v1/things`)).json()).toEqual({ listed: true });
      expect(await (await fetch(`${base}/v1/things/t1`, { method: 'DELETE' })).json()).toEqual({ erased: 't1' });
      expect((await fetch(`${base}/v1/things/t1`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
