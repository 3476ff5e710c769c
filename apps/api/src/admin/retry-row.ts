import { statusBadge, targetOf, type BadgeDelivery } from './delivery-badges';
import { html, type SafeHtml } from './html';
import { time } from './layout';
import { leadLink } from './lead-page';

export interface RetryRowDelivery extends Pick<BadgeDelivery, 'id' | 'kind' | 'status' | 'attempts' | 'destination'> {
  updatedAt: Date;
  lead: { id: string; account: { name: string } };
}

/**
 * A row of the admin tables of deliveries an operator may retry (failed, stuck): when, whose,
 * where and how it stands, then the table's own `cells`, then the Retry button.
 */
export function retryRow(d: RetryRowDelivery, cells: SafeHtml): SafeHtml {
  return html`<tr data-delivery-id="${d.id}">
<td>${time(d.updatedAt)}</td>
<td>${d.lead.account.name}<br>${leadLink(d.lead.id)}</td>
<td>${targetOf(d)}</td>
<td>${statusBadge(d.status)} <span class="muted">×${d.attempts}</span></td>
${cells}
<td><button type="button" data-action="retry" data-delivery-id="${d.id}">Retry</button></td>
</tr>`;
}
