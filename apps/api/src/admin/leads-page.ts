import type { Db } from '@crm-push/db';
import type { Request, Response } from 'express';
import { page, pageQuerySchema } from '../http/pagination';
import { parse } from '../http/validate';
import { deliveryBadges } from './delivery-badges';
import { html } from './html';
import { leadLink } from './lead-page';
import { nextPageLink, sendPage, time } from './layout';
import { sourceLabels } from './sources-page';
import { operationsPanel } from './operations-panel';

/** A few fields that tell a lead apart at a glance; the rest is in the API. */
function summary(data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  const name = [d.firstName, d.lastName].filter((v) => typeof v === 'string').join(' ');
  return [d.email, name, d.company].filter((v) => typeof v === 'string' && v).join(' · ') || '(no email or name)';
}

/** GET /admin: leads of every account, newest first, with each delivery's status. */
export function leadsPage(db: Db) {
  return async (req: Request, res: Response) => {
    const q = parse(pageQuerySchema, req.query, 'query');
    const rows = await db.lead.findMany({
      where: { erasedAt: null, ...(q.cursor ? { id: { lt: q.cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: q.limit + 1,
      include: {
        account: { select: { name: true } },
        deliveries: { orderBy: { id: 'asc' }, include: { destination: { select: { name: true, type: true } } } },
      },
    });
    const { items, nextCursor } = page(rows, q.limit);
    const sources = await sourceLabels(
      db,
      items.map((l) => l.source),
    );
    const operations = q.cursor ? '' : await operationsPanel(db);
    sendPage(res, {
      title: 'Leads',
      body: html`${operations}<div class="table-scroll"><table class="leads">
<thead><tr><th>Received</th><th>Account</th><th>Lead</th><th>Status</th><th>Deliveries</th></tr></thead>
<tbody>${items.map(
        (lead) => html`<tr data-lead-id="${lead.id}">
<td>${time(lead.createdAt)}</td>
<td>${lead.account.name}</td>
<td>${summary(lead.data)}<br>${leadLink(lead.id)}${lead.source ? html` <span class="muted" data-role="source">from ${sources.get(lead.source) ?? lead.source}</span>` : ''}${lead.test ? html` <span class="status">test</span>` : ''}</td>
<td>${html`<span class="status" data-status="${lead.status}">${lead.status}</span>`}</td>
<td>${deliveryBadges(lead.deliveries)}</td>
</tr>`,
      )}</tbody>
</table></div>
${items.length ? '' : html`<p class="muted">No leads yet.</p>`}
${nextPageLink('/admin', { limit: String(q.limit) }, nextCursor)}`,
    });
  };
}
