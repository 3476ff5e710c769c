import { html, type SafeHtml } from './html';

export interface BadgeDelivery {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  lastErrorCode: string | null;
  destination: { name: string; type: string } | null;
}

/** Where a delivery goes: its destination's name, or the flow action's kind. */
export function targetOf(d: Pick<BadgeDelivery, 'kind' | 'destination'>): string {
  return d.destination ? `${d.destination.name} (${d.destination.type})` : `${d.kind} action`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="status" data-role="status" data-status="${status}">${status}</span>`;
}

/** One line per delivery of a lead: target, status, attempts, last error code. */
export function deliveryBadges(deliveries: BadgeDelivery[]): SafeHtml {
  if (!deliveries.length) return html`<span class="muted">no destination</span>`;
  return html`<ul class="badges">${deliveries.map(
    (d) =>
      html`<li data-delivery-id="${d.id}">${targetOf(d)}: ${statusBadge(d.status)} <span class="muted">×${d.attempts}</span>${
        d.lastErrorCode ? html` <code>${d.lastErrorCode}</code>` : ''
      }</li>`,
  )}</ul>`;
}
