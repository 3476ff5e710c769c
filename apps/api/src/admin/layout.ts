import type { Response } from 'express';
import { html, type SafeHtml } from './html';

/** No inline script or style anywhere in the panel, so the policy can forbid them. */
const PANEL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const NAV = [
  ['/admin', 'Leads'],
  ['/admin/failed', 'Failed deliveries'],
  ['/admin/destinations', 'Destinations'],
  ['/admin/sources', 'Sources'],
  ['/admin/queues', 'Queues (Bull Board)'],
] as const;

export function sendPage(res: Response, page: { title: string; body: SafeHtml; nav?: boolean; status?: number }): void {
  res
    .status(page.status ?? 200)
    .set({ 'content-security-policy': PANEL_CSP, 'cache-control': 'no-store', 'referrer-policy': 'same-origin' })
    .type('html')
    .send(
      html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · CRM Push admin</title>
<link rel="icon" href="/admin/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin/assets/panel.css">
<script src="/admin/assets/panel.js" defer></script>
</head>
<body>
${page.nav === false ? '' : navigation()}
<main>
<h1>${page.title}</h1>
<p class="message" data-role="message" role="status"></p>
${page.body}
</main>
</body>
</html>
`.value,
    );
}

function navigation(): SafeHtml {
  return html`<header><strong>CRM Push</strong><nav>${NAV.map(([href, label]) => html`<a href="${href}">${label}</a>`)}</nav>
<form method="post" action="/admin/logout"><button type="submit">Log out</button></form></header>`;
}

/** "Next page" link keeping the current filters. */
export function nextPageLink(path: string, query: Record<string, string | undefined>, nextCursor: string | null): SafeHtml {
  if (!nextCursor) return html``;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, cursor: nextCursor })) if (v) params.set(k, v);
  return html`<p class="pager"><a href="${path}?${params.toString()}" data-role="next-page">Next page →</a></p>`;
}

export function time(date: Date | null | undefined): SafeHtml {
  if (!date) return html`—`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 19)}Z</time>`;
}
