import type { Db } from '@crm-push/db';
import { html, type SafeHtml } from './html';
import { time } from './layout';

/** Shown for this long after an operation finished, so its outcome is seen. */
const RECENT_MS = 60 * 60 * 1000;

/** Running (and just finished) background operations with a progress bar each; nothing when there are none. */
export async function operationsPanel(db: Db): Promise<SafeHtml | ''> {
  const ops = await db.operation.findMany({
    where: { OR: [{ status: 'running' }, { finishedAt: { gte: new Date(Date.now() - RECENT_MS) } }] },
    orderBy: { id: 'desc' },
    take: 20,
    include: { account: { select: { name: true } } },
  });
  if (!ops.length) return '';
  return html`<section class="operations"><h2>Operations</h2>
<div class="table-scroll"><table><thead><tr><th>Started</th><th>Account</th><th>Operation</th><th>Status</th><th>Progress</th></tr></thead>
<tbody>${ops.map(
    (op) => html`<tr data-operation-id="${op.id}">
<td>${time(op.startedAt)}</td>
<td>${op.account.name}</td>
<td>${op.type}</td>
<td><span class="status" data-status="${op.status}">${op.status}</span>${op.errorMessage ? html` <span class="muted">${op.errorMessage}</span>` : ''}</td>
<td><progress value="${String(Math.min(op.progressLeads, op.leads))}" max="${String(Math.max(op.leads, 1))}"></progress>
${String(op.progressLeads)} / ${String(op.leads)} leads · ${String(op.progressDeliveries)} deliveries queued</td>
</tr>`,
  )}</tbody></table></div></section>`;
}
