import type { DeliveryDeps } from '@crm-push/delivery';
import type { Db } from '@crm-push/db';
import { sourceEventView, sourceView } from '@crm-push/sources';
import type { Request, Response } from 'express';
import { page, pageQuerySchema } from '../http/pagination';
import { parse } from '../http/validate';
import { html, type SafeHtml } from './html';
import { nextPageLink, sendPage, time } from './layout';

/** Events shown per source; the rest are in GET /v1/sources/:id/events. */
const RECENT_EVENTS = 10;

type EventView = ReturnType<typeof sourceEventView>;

function eventsTable(events: EventView[]): SafeHtml {
  if (!events.length) return html`<span class="muted">no calls yet</span>`;
  return html`<details><summary>${events.length} recent calls</summary><table class="events">
<thead><tr><th>Time</th><th>Outcome</th><th>HTTP</th><th>Leads</th><th>Created</th><th>Duplicates</th><th>Error</th></tr></thead>
<tbody>${events.map(
    (e) => html`<tr data-role="event"><td>${time(new Date(e.at))}</td><td><span class="status" data-status="${e.outcome}">${e.outcome}</span></td>
<td>${e.statusCode ?? '—'}</td><td>${e.leads}</td><td>${e.created}</td><td>${e.duplicates}</td><td>${e.error ? html`<code>${e.error.code}</code> ${e.error.message}` : ''}</td></tr>`,
  )}</tbody></table></details>`;
}

/** GET /admin/sources: every source, its ingest URL (with a copy button), counters, last error and recent calls. */
export function sourcesPage(deps: DeliveryDeps) {
  return async (req: Request, res: Response) => {
    const q = parse(pageQuerySchema, req.query, 'query');
    const rows = await deps.db.source.findMany({
      where: q.cursor ? { id: { lt: q.cursor } } : {},
      orderBy: { id: 'desc' },
      take: q.limit + 1,
      include: { account: { select: { name: true } }, events: { orderBy: { id: 'desc' }, take: RECENT_EVENTS } },
    });
    const { items, nextCursor } = page(rows, q.limit);
    sendPage(res, {
      title: 'Sources',
      body: html`<div class="table-scroll"><table class="sources">
<thead><tr><th>Account</th><th>Source</th><th>Type</th><th>Ingest URL</th><th>Received</th><th>Created</th><th>Duplicates</th><th>Rejected</th><th>Last error</th><th>Recent calls</th></tr></thead>
<tbody>${items.map((s) => {
        const v = sourceView(s, deps.secrets, deps.config.PUBLIC_URL);
        const lastError = v.stats.lastError;
        return html`<tr data-source-id="${s.id}">
<td>${s.account.name}</td>
<td>${s.name}${s.enabled ? '' : html` <span class="muted">(disabled)</span>`}<br><code class="muted">${s.id}</code></td>
<td>${s.type}</td>
<td><code data-role="ingest-url">${v.ingestUrl}</code> <button type="button" data-action="copy" data-copy="${v.ingestUrl}">Copy</button></td>
<td data-role="received">${v.stats.received}<br><span class="muted">last ${time(s.lastReceivedAt)}</span></td>
<td data-role="created">${v.stats.created}</td>
<td data-role="duplicates">${v.stats.duplicates}</td>
<td data-role="rejected">${v.stats.rejected}</td>
<td data-role="last-error">${lastError ? html`<code class="bad">${lastError.code}</code> ${lastError.message}<br><span class="muted">${time(s.lastErrorAt)}</span>` : html`<span class="muted">none</span>`}</td>
<td>${eventsTable(s.events.map(sourceEventView))}</td>
</tr>`;
      })}</tbody>
</table></div>
${items.length ? '' : html`<p class="muted">No sources yet.</p>`}
${nextPageLink('/admin/sources', { limit: String(q.limit) }, nextCursor)}`,
    });
  };
}

/** "Name (type)" of each source id among `ids` that still exists, for showing where leads came from. */
export async function sourceLabels(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const rows = await db.source.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, type: true } });
  return new Map(rows.map((s) => [s.id, `${s.name} (${s.type})`]));
}
