import { DeliveryError, renderTemplate, TemplateError } from '@crm-push/outbound';
import { leadPayload, type FlowLead } from '../flow-lead';

/**
 * Renders an action's template over the lead. A template that fails at render time (it exceeded
 * a size limit, an unknown filter) fails the same way on every try, so it is not retried; one that
 * ran out of its wall-time budget may have met a loaded machine, so it is.
 */
export function renderForLead(template: string, lead: FlowLead, what: string): string {
  try {
    return renderTemplate(template, leadPayload(lead));
  } catch (err) {
    const retryable = err instanceof TemplateError && err.overTime;
    throw new DeliveryError({ code: 'TEMPLATE_ERROR', message: `${what}: ${(err as Error).message}`, retryable, cause: err });
  }
}
