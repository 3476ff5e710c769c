import { DeliveryError, networkError, scrubbedError, secretValuesOf } from '@crm-push/outbound';
import { sendAction } from '@crm-push/flows';
import type { DeliveryDeps } from './deps';
import { openAction, storedActions } from './flow-secrets';
import type { LoadedDelivery } from './load-delivery';
import type { PreparedCall } from './prepare-call';

/** Delivery kinds that are a flow's Slack, email or webhook action. */
export const ACTION_KINDS = ['slack', 'email', 'webhook'] as const;

export function isActionKind(kind: string): kind is (typeof ACTION_KINDS)[number] {
  return (ACTION_KINDS as readonly string[]).includes(kind);
}

/**
 * A flow action's call. The action is read from the flow as it is now, as a CRM delivery reads
 * its destination now: an edited URL or text applies to retries. A flow that was deleted or
 * disabled, or no longer has an action of this kind at this position, fails the job for good.
 */
export function prepareActionCall(deps: DeliveryDeps, delivery: LoadedDelivery): PreparedCall {
  const flow = delivery.flow;
  if (!flow) throw unusable('FLOW_DELETED', 'the flow was deleted');
  if (!flow.enabled) throw unusable('FLOW_DISABLED', 'the flow is disabled');
  const index = delivery.actionIndex ?? -1;
  const stored = storedActions(flow.actions)[index];
  if (!stored || stored.type !== delivery.kind || stored.type === 'crm_push') {
    throw unusable('ACTION_REMOVED', `the flow no longer has a ${delivery.kind} action at position ${index}`);
  }
  let action;
  try {
    action = openAction(deps.secrets, stored);
  } catch {
    // A key change leaves the sealed secret unreadable; waiting will not fix it. No detail: it is a secret.
    throw unusable(
      'SECRET_UNREADABLE',
      `the ${stored.type === 'slack' ? 'Slack webhook URL' : 'webhook signing secret'} cannot be decrypted (was ENCRYPTION_KEY changed?); save the flow again`,
    );
  }
  const lead = { ...delivery.lead, data: delivery.lead.data as Record<string, unknown> };
  const ctx = { deliveryId: delivery.id, smtpUrl: deps.config.SMTP_URL, network: deps.network };
  // The Slack URL and the signing secret are credentials: never in a stored or shown message.
  const secrets = secretValuesOf(action);
  // Senders throw DeliveryError; anything else is a bug or a failure we cannot name.
  const classify = (err: unknown) =>
    scrubbedError(
      err instanceof DeliveryError
        ? err
        : (networkError(err) ?? new DeliveryError({ code: 'ACTION_FAILED', message: (err as Error).message ?? String(err), retryable: false, cause: err })),
      secrets,
    );
  return {
    run: async () => {
      try {
        const result = await sendAction(action, lead, ctx);
        return { externalId: null, action: 'created', statusCode: result.statusCode };
      } catch (err) {
        throw classify(err);
      }
    },
    classify,
  };
}

function unusable(code: string, message: string): DeliveryError {
  return new DeliveryError({ code, message, retryable: false });
}
