import type { SecretBox } from '@crm-push/db';
import type { CrmPushAction, EmailAction, FlowAction, SideAction, WebhookAction } from '@crm-push/flows';

/** A webhook action as the flows table holds it: the signing secret sealed by the SecretBox. */
export interface StoredWebhookAction {
  type: 'webhook';
  url: string;
  sealedSigningSecret?: string;
}

/**
 * A Slack action as the flows table holds it: the incoming-webhook URL is a credential (whoever
 * has it can post to the channel), so it is sealed, with a hint (host + last 4) for views.
 * Rows written before URLs were sealed still hold `webhookUrl` in plain text.
 */
export type StoredSlackAction = { type: 'slack'; text: string } & ({ sealedWebhookUrl: string; webhookUrlHint: string } | { webhookUrl: string });

/** One element of `flows.actions`: validated actions, with every secret sealed. */
export type StoredAction = CrmPushAction | StoredSlackAction | EmailAction | StoredWebhookAction;

/** Seals each webhook signing secret and Slack URL, so the actions JSON can be stored. */
export function sealActions(secrets: SecretBox, actions: FlowAction[]): StoredAction[] {
  return actions.map((action) => {
    if (action.type === 'slack') {
      const { webhookUrl, ...rest } = action;
      return { ...rest, sealedWebhookUrl: secrets.seal(webhookUrl), webhookUrlHint: urlHint(webhookUrl) };
    }
    if (action.type !== 'webhook') return action;
    const { signingSecret, ...rest } = action;
    return signingSecret === undefined ? rest : { ...rest, sealedSigningSecret: secrets.seal(signingSecret) };
  });
}

/** What may be shown of a secret URL: its host and its last 4 characters. */
export function urlHint(url: string): string {
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    // validated input always parses; an odd stored value still gets a hint
  }
  return `${host} …${url.slice(-4)}`;
}

/** The stored action ready to send: secrets opened. Throws if a secret cannot be opened. */
export function openAction(secrets: SecretBox, action: Exclude<StoredAction, CrmPushAction>): SideAction {
  if (action.type === 'slack') {
    if ('webhookUrl' in action) return action;
    return { type: 'slack', text: action.text, webhookUrl: secrets.open<string>(action.sealedWebhookUrl) };
  }
  if (action.type !== 'webhook') return action;
  const { sealedSigningSecret, ...rest } = action;
  const webhook: WebhookAction = sealedSigningSecret === undefined ? rest : { ...rest, signingSecret: secrets.open<string>(sealedSigningSecret) };
  return webhook;
}

/**
 * The `actions` column as written by sealActions. The column is only written from validated
 * input, so this is a type, not a parse; a non-array reads as no actions.
 */
export function storedActions(json: unknown): StoredAction[] {
  return Array.isArray(json) ? (json as StoredAction[]) : [];
}

/**
 * Actions as API responses show them: a webhook secret becomes `hasSigningSecret`, a Slack URL
 * becomes `webhookUrlHint` (host + last 4 characters); never the secret itself.
 */
export function actionsView(actions: StoredAction[]): Record<string, unknown>[] {
  return actions.map((action) => {
    if (action.type === 'slack') {
      const hint = 'webhookUrl' in action ? urlHint(action.webhookUrl) : action.webhookUrlHint;
      return { type: 'slack', text: action.text, webhookUrlHint: hint };
    }
    if (action.type !== 'webhook') return action;
    const { sealedSigningSecret, ...rest } = action;
    return { ...rest, hasSigningSecret: sealedSigningSecret !== undefined };
  });
}
