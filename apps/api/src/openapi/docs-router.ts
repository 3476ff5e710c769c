import path from 'node:path';
import express, { Router } from 'express';
import { buildOpenApiDocument, type OpenApiDocument } from './build-document';

/** Swagger UI's prebuilt files, served from the npm package (no CDN: the docs work offline). */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = '/docs/assets';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>CRM Push API</title>
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A file rather than an inline script, so a Content-Security-Policy without 'unsafe-inline' still works.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

let built: OpenApiDocument | undefined;
/** Built once per process: the schemas do not change while it runs. */
const defaultDocument = () => (built ??= buildOpenApiDocument());

/**
 * GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (Swagger UI over it). Public, like
 * the API's shape itself: nothing account-specific is in either.
 */
export function docsRouter(document: OpenApiDocument = defaultDocument()): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use(ASSETS, express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  return router;
}
