import type { SideAction } from '../actions';
import type { FlowLead } from '../flow-lead';
import { sendEmail } from './email';
import type { SendContext, SendResult } from './send-context';
import { sendSlack } from './slack';
import { sendWebhook } from './webhook';

/** Runs one Slack, email or webhook action for a lead. Throws DeliveryError, as adapters do. */
export function sendAction(action: SideAction, lead: FlowLead, ctx: SendContext): Promise<SendResult> {
  switch (action.type) {
    case 'slack':
      return sendSlack(action, lead, ctx);
    case 'email':
      return sendEmail(action, lead, ctx);
    case 'webhook':
      return sendWebhook(action, lead, ctx);
  }
}
