import type { Prisma } from '@crm-push/db';
import type { DeliveryDeps } from '@crm-push/delivery';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { page, pageQuerySchema } from '../http/pagination';
import { parse } from '../http/validate';
import { attemptLog, RECENT_ATTEMPTS } from './attempt-log';
import { html } from './html';
import { nextPageLink, sendPage } from './layout';
import { retryRow } from './retry-row';
import { stuckSection } from './stuck-deliveries';

export const failedFilterSchema = z.object({
  destinationId: z.string().uuid().optional(),
  errorCode: z.string().trim().min(1).max(100).optional(),
});

const querySchema = pageQuerySchema.extend(failedFilterSchema.shape);

export function failedWhere(filter: z.infer<typeof failedFilterSchema>): Prisma.DeliveryWhereInput {
  return { status: 'failed', destinationId: filter.destinationId, lastErrorCode: filter.errorCode };
}

/**
 * GET /admin/failed: failed deliveries of every account, filterable, each with its attempt log;
 * above them, deliveries queued or retrying for long (stuck-deliveries.ts).
 */
export function failedPage(deps: DeliveryDeps) {
  const { db } = deps;
  return async (req: Request, res: Response) => {
    // Empty <select> values mean "any".
    const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ''));
    const q = parse(querySchema, raw, 'query');
    const where = failedWhere(q);
    const [rows, matching, codes, destinations] = await Promise.all([
      db.delivery.findMany({
        where: { ...where, id: q.cursor ? { lt: q.cursor } : undefined },
        orderBy: { id: 'desc' },
        take: q.limit + 1,
        include: {
          lead: { select: { id: true, account: { select: { name: true } } } },
          destination: { select: { name: true, type: true } },
          attemptLog: RECENT_ATTEMPTS,
        },
      }),
      db.delivery.count({ where }),
      db.delivery.groupBy({ by: ['lastErrorCode'], where: { status: 'failed' }, _count: { _all: true }, orderBy: { lastErrorCode: 'asc' } }),
      db.destination.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, type: true, deletedAt: true, account: { select: { name: true } } } }),
    ]);
    const { items, nextCursor } = page(rows, q.limit);
    const stuck = q.cursor ? '' : await stuckSection(deps, q.destinationId);

    const filters = html`<form method="get" action="/admin/failed" class="filters">
<label>Destination <select name="destinationId"><option value="">any</option>${destinations.map(
      (d) =>
        html`<option value="${d.id}"${d.id === q.destinationId ? html` selected` : ''}>${d.account.name} / ${d.name} (${d.type})${d.deletedAt ? ' [deleted]' : ''}</option>`,
    )}</select></label>
<label>Error code <select name="errorCode"><option value="">any</option>${codes
      .filter((c) => c.lastErrorCode)
      .map(
        (c) => html`<option value="${c.lastErrorCode}"${c.lastErrorCode === q.errorCode ? html` selected` : ''}>${c.lastErrorCode} (${c._count._all})</option>`,
      )}</select></label>
<button type="submit">Filter</button>
</form>
<p><button type="button" data-action="retry-matching" data-destination-id="${q.destinationId ?? ''}" data-error-code="${q.errorCode ?? ''}" data-count="${matching}"${matching ? '' : html` disabled`}>Retry all matching (${matching})</button></p>`;

    sendPage(res, {
      title: 'Failed deliveries',
      body: html`${filters}
${stuck}
<div class="table-scroll"><table class="failed">
<thead><tr><th>Failed</th><th>Account / lead</th><th>Destination</th><th>Status</th><th>Last error</th><th></th></tr></thead>
<tbody>${items.map((d) =>
        retryRow(
          d,
          html`<td><code>${d.lastErrorCode ?? ''}</code> ${d.lastStatusCode ? html`(HTTP ${d.lastStatusCode})` : ''}<br>${d.lastErrorMessage ?? ''}
${attemptLog(d.attemptLog, d.attempts)}</td>`,
        ),
      )}</tbody>
</table></div>
${items.length ? '' : html`<p class="muted">No failed deliveries match.</p>`}
${nextPageLink('/admin/failed', { destinationId: q.destinationId, errorCode: q.errorCode, limit: String(q.limit) }, nextCursor)}`,
    });
  };
}
