import type { SecretBox } from '@crm-push/db';
import type { CrmPushAction, EmailAction, FlowAction, SideAction, SlackAction, WebhookAction } from '@crm-push/flows';

/** A webhook action as the flows table holds it: the signing secret sealed by the SecretBox. */
export interface StoredWebhookAction {
  type: 'webhook';
  url: string;
  sealedSigningSecret?: string;
}

/** One element of `flows.actions`: validated actions, with every secret sealed. */
export type StoredAction = CrmPushAction | SlackAction | EmailAction | StoredWebhookAction;

/** Seals each webhook signing secret, so the actions JSON can be stored. */
export function sealActions(secrets: SecretBox, actions: FlowAction[]): StoredAction[] {
  return actions.map((action) => {
    if (action.type !== 'webhook') return action;
    const { signingSecret, ...rest } = action;
    return signingSecret === undefined ? rest : { ...rest, sealedSigningSecret: secrets.seal(signingSecret) };
  });
}

/** The stored action ready to send: a webhook gets its secret back. Throws if the secret cannot be opened. */
export function openAction(secrets: SecretBox, action: Exclude<StoredAction, CrmPushAction>): SideAction {
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

/** Actions as API responses show them: a webhook secret becomes `hasSigningSecret`, never the secret. */
export function actionsView(actions: StoredAction[]): Record<string, unknown>[] {
  return actions.map((action) => {
    if (action.type !== 'webhook') return action;
    const { sealedSigningSecret, ...rest } = action;
    return { ...rest, hasSigningSecret: sealedSigningSecret !== undefined };
  });
}
