import type { Db } from '@crm-push/db';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { attemptLog, RECENT_ATTEMPTS, type AttemptRow } from './attempt-log';
import { statusBadge, targetOf, type BadgeDelivery } from './delivery-badges';
import { html, type SafeHtml } from './html';
import { sendPage, time } from './layout';
import { sourceLabels } from './sources-page';

const leadId = z.string().uuid();

/** The link to a lead's detail page, showing its id. */
export function leadLink(id: string): SafeHtml {
  return html`<a href="/admin/leads/${id}" data-role="lead-link"><code>${id}</code></a>`;
}

function notFoundPage(res: Response): void {
  sendPage(res, { title: 'Lead not found', status: 404, body: html`<p>There is no lead with that id. <a href="/admin">All leads</a></p>` });
}

/** GET /admin/leads/:id: one lead, its data, and each delivery with its attempt log and a Retry button. */
export function leadPage(db: Db) {
  return async (req: Request, res: Response) => {
    const id = leadId.safeParse(req.params.id);
    if (!id.success) return notFoundPage(res);
    const lead = await db.lead.findUnique({
      where: { id: id.data },
      include: {
        account: { select: { name: true } },
        deliveries: {
          orderBy: { id: 'asc' },
          include: { destination: { select: { name: true, type: true } }, flow: { select: { name: true } }, attemptLog: RECENT_ATTEMPTS },
        },
      },
    });
    if (!lead) return notFoundPage(res);
    const source = lead.source ? ((await sourceLabels(db, [lead.source])).get(lead.source) ?? lead.source) : null;
    sendPage(res, {
      title: `Lead ${lead.id}`,
      body: html`<dl class="facts" data-lead-id="${lead.id}">
<dt>Account</dt><dd>${lead.account.name}</dd>
<dt>Status</dt><dd><span class="status" data-role="lead-status" data-status="${lead.status}">${lead.status}</span>${lead.test ? html` <span class="status">test</span>` : ''}</dd>
<dt>Received</dt><dd>${time(lead.createdAt)}</dd>
<dt>Updated</dt><dd>${time(lead.updatedAt)}</dd>
${source ? html`<dt>Source</dt><dd>${source}</dd>` : ''}
${lead.externalId ? html`<dt>External id</dt><dd><code>${lead.externalId}</code></dd>` : ''}
${lead.erasedAt ? html`<dt>Erased</dt><dd>${time(lead.erasedAt)}</dd>` : ''}
</dl>
<h2>Data</h2>
<pre data-role="lead-data">${JSON.stringify(lead.data, null, 2)}</pre>
<h2>Deliveries</h2>
${lead.deliveries.length ? deliveriesTable(lead.deliveries) : html`<p class="muted">No destination or flow action took this lead.</p>`}`,
    });
  };
}

interface DeliveryRow extends Pick<BadgeDelivery, 'kind' | 'destination'> {
  id: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  nextRetryAt: Date | null;
  externalId: string | null;
  updatedAt: Date;
  flow: { name: string } | null;
  actionIndex: number | null;
  attemptLog: AttemptRow[];
}

function deliveriesTable(deliveries: DeliveryRow[]): SafeHtml {
  return html`<div class="table-scroll"><table class="deliveries">
<thead><tr><th>Destination or action</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Next retry</th><th>External id</th><th></th></tr></thead>
<tbody>${deliveries.map(
    (d) => html`<tr data-delivery-id="${d.id}">
<td>${targetOf(d)}${d.flow ? html`<br><span class="muted">flow ${d.flow.name}, action ${d.actionIndex ?? ''}</span>` : ''}<br><code class="muted">${d.id}</code></td>
<td>${statusBadge(d.status)}<br><span class="muted">since ${time(d.updatedAt)}</span></td>
<td data-role="attempts">${d.attempts}</td>
<td>${d.lastErrorCode ? html`<code data-role="last-error">${d.lastErrorCode}</code>` : html`<span class="muted">none</span>`} ${d.lastStatusCode ? html`(HTTP ${d.lastStatusCode})` : ''}<br>${d.lastErrorMessage ?? ''}
${attemptLog(d.attemptLog, d.attempts, { open: true, status: d.status })}</td>
<td>${time(d.nextRetryAt)}</td>
<td>${d.externalId ? html`<code data-role="external-id">${d.externalId}</code>` : html`<span class="muted">—</span>`}</td>
<td>${retryButton(d)}</td>
</tr>`,
  )}</tbody></table></div>`;
}

/** A succeeded delivery is not retried (POST /v1/leads/:id/push sends it again on purpose). */
function retryButton(d: { id: string; status: string }): SafeHtml {
  return d.status === 'succeeded'
    ? html`<button type="button" disabled title="Delivered. POST /v1/leads/:id/push sends it again.">Retry</button>`
    : html`<button type="button" data-action="retry" data-delivery-id="${d.id}">Retry</button>`;
}
