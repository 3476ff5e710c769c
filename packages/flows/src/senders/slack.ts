import type { SlackAction } from '../actions';
import type { FlowLead } from '../flow-lead';
import { postJson } from './post-json';
import { renderForLead } from './render';
import type { SendContext, SendResult } from './send-context';

/** Posts the rendered text to a Slack incoming webhook. Throws DeliveryError. */
export async function sendSlack(action: SlackAction, lead: FlowLead, ctx: SendContext): Promise<SendResult> {
  const text = renderForLead(action.text, lead, 'slack text');
  return postJson('Slack', action.webhookUrl, JSON.stringify({ text }), {}, ctx);
}
