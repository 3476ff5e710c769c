import { DeliveryError, renderTemplate } from '@crm-push/outbound';
import { leadPayload, type FlowLead } from '../flow-lead';

/**
 * Renders an action's template over the lead. A template that fails at render time (it exceeded
 * a limit) fails the same way on every try, so it is not retried.
 */
export function renderForLead(template: string, lead: FlowLead, what: string): string {
  try {
    return renderTemplate(template, leadPayload(lead));
  } catch (err) {
    throw new DeliveryError({ code: 'TEMPLATE_ERROR', message: `${what}: ${(err as Error).message}`, retryable: false, cause: err });
  }
}
