import { DeliveryError, type NetworkPolicy } from '@crm-push/outbound';
import type { Db } from '@crm-push/db';
import type { FlowAction } from '@crm-push/flows';
import { invalid, type FieldIssue } from '../http/validate';

/**
 * Secrets are never returned, so a flow read back shows `hasSigningSecret` instead. Sending that
 * back would silently drop the secret; say how to keep it instead. Runs before the schema, whose
 * own "unrecognized key" message would not explain this.
 */
export function refuseEchoedSecrets(body: unknown): void {
  const actions = (body as { actions?: unknown } | null)?.actions;
  if (!Array.isArray(actions)) return;
  const issues = actions.flatMap((action, i): FieldIssue[] => {
    if (!action || typeof action !== 'object') return [];
    if ('hasSigningSecret' in action) {
      return [
        {
          path: `actions.${i}.hasSigningSecret`,
          message: 'signing secrets are never returned: send signingSecret again with the actions (or omit it to send unsigned)',
        },
      ];
    }
    if ('webhookUrlHint' in action) {
      return [{ path: `actions.${i}.webhookUrlHint`, message: 'Slack webhook URLs are never returned: send webhookUrl again with the actions' }];
    }
    return [];
  });
  if (issues.length) throw invalid(issues);
}

/**
 * Checks what the schema cannot: every `crm_push` names a live destination of this account (the
 * path uses the index in the request, before duplicates collapsed), and every Slack or webhook
 * URL passes the private-network guard. Unknown and foreign ids get the same message, so
 * another account's destinations are never revealed.
 */
export async function checkActions(db: Db, accountId: string, actions: FlowAction[], raw: unknown, network: NetworkPolicy): Promise<void> {
  const issues = [...(await destinationIssues(db, accountId, actions, raw)), ...(await urlIssues(actions, network))];
  if (issues.length) throw invalid(issues);
}

async function destinationIssues(db: Db, accountId: string, actions: FlowAction[], raw: unknown): Promise<FieldIssue[]> {
  const named = actions.flatMap((a) => (a.type === 'crm_push' ? a.destinationIds : []));
  if (!named.length) return [];
  const found = await db.destination.findMany({ where: { accountId, deletedAt: null, id: { in: named } }, select: { id: true } });
  const known = new Set(found.map((d) => d.id));
  const rawActions = (raw as { destinationIds?: unknown[] }[] | undefined) ?? [];
  return actions.flatMap((action, i) => {
    if (action.type !== 'crm_push') return [];
    const given = rawActions[i]?.destinationIds ?? action.destinationIds;
    return action.destinationIds
      .filter((id) => !known.has(id))
      .map((id) => ({ path: `actions.${i}.destinationIds.${given.indexOf(id)}`, message: `no destination with id "${id}"` }));
  });
}

async function urlIssues(actions: FlowAction[], network: NetworkPolicy): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const [i, action] of actions.entries()) {
    const target = action.type === 'slack' ? { key: 'webhookUrl', url: action.webhookUrl } : action.type === 'webhook' ? { key: 'url', url: action.url } : null;
    if (!target) continue;
    try {
      await network.assertUrlAllowed(target.url);
    } catch (err) {
      // A name that does not resolve right now is not proof of a bad URL; every send checks again.
      if (err instanceof DeliveryError && err.retryable) continue;
      if (!(err instanceof DeliveryError)) throw err;
      issues.push({ path: `actions.${i}.${target.key}`, message: err.message });
    }
  }
  return issues;
}
