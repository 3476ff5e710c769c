import type { ApiClient } from './api-client';

interface DeliveryView {
  id: string;
  destinationType: string | null;
  status: string;
  attempts: number;
  lastError: { code: string; message: string } | null;
}

interface LeadView {
  id: string;
  status: string;
  data: { email?: string };
  deliveries: DeliveryView[];
}

export interface WatchOptions {
  print: (line: string) => void;
  /** Stops early when this turns true (Ctrl-C). */
  stopped: () => boolean;
  intervalMs?: number;
  timeoutMs?: number;
}

const settled = (d: DeliveryView) => d.status === 'succeeded' || d.status === 'failed';

function deliveryLine(lead: LeadView, d: DeliveryView): string {
  const error = d.lastError && d.status !== 'succeeded' ? ` — ${d.lastError.code}: ${d.lastError.message}` : '';
  return `  ${lead.data.email ?? lead.id} → ${d.destinationType ?? 'destination'}: ${d.status} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})${error}`;
}

/**
 * Polls each lead and prints one line whenever one of its deliveries changes status or makes
 * another attempt, until every delivery has settled. Returns how many deliveries succeeded and failed.
 */
export async function watchLeads(api: ApiClient, leadIds: string[], opts: WatchOptions): Promise<{ succeeded: number; failed: number; timedOut: boolean }> {
  const seen = new Map<string, string>();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const leads = await Promise.all(leadIds.map((id) => api.request<LeadView>('GET', `/v1/leads/${id}`)));
    for (const lead of leads) {
      for (const d of lead.deliveries) {
        const state = `${d.status}/${d.attempts}`;
        if (seen.get(d.id) === state) continue;
        seen.set(d.id, state);
        // "queued, no attempt yet" is where every delivery starts; the lines are about what happens next.
        if (d.status !== 'queued' || d.attempts > 0) opts.print(deliveryLine(lead, d));
      }
    }
    const deliveries = leads.flatMap((l) => l.deliveries);
    const count = (status: string) => deliveries.filter((d) => d.status === status).length;
    const done = deliveries.length > 0 && deliveries.every(settled);
    const timedOut = Date.now() > deadline;
    if (done || timedOut || opts.stopped()) return { succeeded: count('succeeded'), failed: count('failed'), timedOut: !done && timedOut };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 150));
  }
}
