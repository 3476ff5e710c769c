import type { DeliveryDeps } from '@crm-push/delivery';
import { LIVE_JOB_STATES } from '@crm-push/queue';
import { html, type SafeHtml } from './html';
import { retryRow } from './retry-row';

/**
 * A delivery still `queued` or `retrying` this long after its row last changed is shown as stuck:
 * a healthy one is delivered, retried (which updates the row) or failed well within it.
 */
export const STUCK_AFTER_MS = 15 * 60 * 1000;

/** Rows shown; each costs one Redis lookup of its job. */
const STUCK_SHOWN = 50;

/** Queued or retrying deliveries untouched for over STUCK_AFTER_MS, oldest first, each with its job's BullMQ state. */
async function findStuck(deps: DeliveryDeps, destinationId: string | undefined, now: Date) {
  const where = { status: { in: ['queued', 'retrying'] }, updatedAt: { lt: new Date(now.getTime() - STUCK_AFTER_MS) }, destinationId };
  const [rows, count] = await Promise.all([
    deps.db.delivery.findMany({
      where,
      orderBy: { updatedAt: 'asc' },
      take: STUCK_SHOWN,
      include: { lead: { select: { id: true, account: { select: { name: true } } } }, destination: { select: { name: true, type: true } } },
    }),
    deps.db.delivery.count({ where }),
  ]);
  const jobStates = await Promise.all(rows.map((d) => jobStateOf(deps, d)));
  return { rows: rows.map((d, i) => ({ ...d, jobState: jobStates[i] })), count };
}

/** Only when Redis is up: a page must not hang on a lookup that waits for a reconnect. */
async function jobStateOf(deps: DeliveryDeps, d: { id: string; kind: string; destinationId: string | null; round: number }): Promise<string> {
  if (!deps.queues.connected) return 'Redis unreachable';
  return deps.queues.jobStateOf(d).catch(() => 'Redis unreachable');
}

function jobCell(state: string): SafeHtml {
  if (LIVE_JOB_STATES.has(state)) return html`<span data-role="job-state">${state}</span>`;
  return html`<span data-role="job-state" class="bad">${state === 'unknown' ? 'none' : state}</span> <span class="muted">(no live job)</span>`;
}

/** The Failed page's "stuck for long" section; nothing when no delivery is stuck. */
export async function stuckSection(deps: DeliveryDeps, destinationId: string | undefined, now = new Date()): Promise<SafeHtml | ''> {
  const { rows, count } = await findStuck(deps, destinationId, now);
  if (!count) return '';
  const shown = count > rows.length ? html` (the oldest ${rows.length} of ${count})` : html` (${count})`;
  return html`<section class="stuck"><h2>Queued or retrying for over ${STUCK_AFTER_MS / 60000} minutes${shown}</h2>
<p class="muted">Retry re-queues a delivery whose job is gone; one whose job is still live (a paused or throttled lane) keeps that job.</p>
<div class="table-scroll"><table class="stuck">
<thead><tr><th>Unchanged since</th><th>Account / lead</th><th>Destination</th><th>Status</th><th>Job</th><th>Last error</th><th></th></tr></thead>
<tbody>${rows.map((d) =>
    retryRow(
      d,
      html`<td>${jobCell(d.jobState)}</td>
<td><code>${d.lastErrorCode ?? ''}</code> ${d.lastErrorMessage ?? ''}</td>`,
    ),
  )}</tbody></table></div></section>`;
}
