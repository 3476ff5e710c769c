import type { Db } from '@crm-push/db';
import type { Request, Response } from 'express';
import { page, pageQuerySchema } from '../http/pagination';
import { parse } from '../http/validate';
import { html, type SafeHtml } from './html';
import { nextPageLink, sendPage } from './layout';

export const FAILURE_WINDOW_MS = 24 * 3600 * 1000;

interface Rate {
  /** Finished (succeeded or failed) in the window, and of those failed. */
  failed: number;
  finished: number;
  /** Queued or retrying now, however old. */
  inFlight: number;
  /** Every delivery the destination ever had. */
  total: number;
}

const IN_FLIGHT = new Set(['queued', 'retrying']);

/**
 * Per destination: failed / (succeeded + failed) among deliveries that finished in the window,
 * and how many are in flight or exist at all, so a destination whose deliveries are all queued
 * or older than the window is not mistaken for one that never had any.
 */
export async function failureRates(db: Db, destinationIds: string[], now = new Date()): Promise<Map<string, Rate>> {
  const [recent, all] = await Promise.all([
    db.delivery.groupBy({
      by: ['destinationId', 'status'],
      where: {
        destinationId: { in: destinationIds },
        status: { in: ['succeeded', 'failed'] },
        updatedAt: { gte: new Date(now.getTime() - FAILURE_WINDOW_MS) },
      },
      _count: { _all: true },
    }),
    db.delivery.groupBy({ by: ['destinationId', 'status'], where: { destinationId: { in: destinationIds } }, _count: { _all: true } }),
  ]);
  const rates = new Map<string, Rate>(destinationIds.map((id) => [id, { failed: 0, finished: 0, inFlight: 0, total: 0 }]));
  for (const g of recent) {
    const rate = rates.get(g.destinationId!)!;
    rate.finished += g._count._all;
    if (g.status === 'failed') rate.failed += g._count._all;
  }
  for (const g of all) {
    const rate = rates.get(g.destinationId!)!;
    rate.total += g._count._all;
    if (IN_FLIGHT.has(g.status)) rate.inFlight += g._count._all;
  }
  return rates;
}

function rateCell(rate: Rate | undefined): SafeHtml {
  if (!rate?.total) return html`<span class="muted">no deliveries</span>`;
  const inFlight = rate.inFlight ? html` <span data-role="in-flight">${rate.inFlight} in flight</span>` : '';
  if (!rate.finished) return html`<span class="muted" data-role="none-finished">none finished in 24 h</span>${inFlight}`;
  const percent = Math.round((rate.failed / rate.finished) * 1000) / 10;
  return html`<span data-role="failure-rate" class="${percent > 0 ? 'bad' : 'good'}">${percent}%</span> <span class="muted">(${rate.failed} of ${rate.finished} failed)</span>${inFlight}`;
}

/** The lane's health: state, why, until when, and a Resume button while it is not active. */
function healthCell(d: { id: string; healthState: string; healthReason: string | null; resumeAt: Date | null; healthSince: Date | null }): SafeHtml {
  const until = d.resumeAt
    ? html` <span class="muted">until <time data-role="resume-at" datetime="${d.resumeAt.toISOString()}">${d.resumeAt.toISOString()}</time></span>`
    : '';
  const since = d.healthSince ? html`<br><span class="muted">since ${d.healthSince.toISOString()}</span>` : '';
  return html`<span data-role="health-state" class="${d.healthState === 'active' ? 'good' : 'bad'}">${d.healthState}</span>${
    d.healthReason ? html` <code data-role="health-reason">${d.healthReason}</code>` : ''
  }${until}${since}${
    d.healthState === 'active' ? '' : html`<br><button type="button" data-action="resume-destination" data-destination-id="${d.id}">Resume</button>`
  }`;
}

/** GET /admin/destinations: every destination, its health (with Resume), its recent failure rate and a Test connection button. */
export function destinationsPage(db: Db) {
  return async (req: Request, res: Response) => {
    const q = parse(pageQuerySchema, req.query, 'query');
    const rows = await db.destination.findMany({
      where: { deletedAt: null, id: q.cursor ? { lt: q.cursor } : undefined },
      orderBy: { id: 'desc' },
      take: q.limit + 1,
      include: { account: { select: { name: true } } },
    });
    const { items, nextCursor } = page(rows, q.limit);
    const rates = await failureRates(
      db,
      items.map((d) => d.id),
    );
    sendPage(res, {
      title: 'Destinations',
      body: html`<div class="table-scroll"><table class="destinations">
<thead><tr><th>Account</th><th>Destination</th><th>Type</th><th>Routing</th><th>Health</th><th>Failure rate, last 24 h</th><th>Connection</th></tr></thead>
<tbody>${items.map(
        (d) => html`<tr data-destination-id="${d.id}">
<td>${d.account.name}</td>
<td>${d.name}${d.enabled ? '' : html` <span class="muted">(disabled)</span>`}<br><code class="muted">${d.id}</code></td>
<td>${d.type}</td>
<td>${d.routing}</td>
<td data-role="health">${healthCell(d)}</td>
<td>${rateCell(rates.get(d.id))}</td>
<td><button type="button" data-action="test-connection" data-destination-id="${d.id}">Test connection</button> <span data-role="test-result"></span></td>
</tr>`,
      )}</tbody>
</table></div>
${items.length ? '' : html`<p class="muted">No destinations yet.</p>`}
${nextPageLink('/admin/destinations', { limit: String(q.limit) }, nextCursor)}`,
    });
  };
}
