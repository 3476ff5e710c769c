export { type FlowLead, LEAD_FIELDS, leadPayload, readField } from './flow-lead';
export {
  conditionSchema,
  CONDITION_LIMITS,
  OPERATORS,
  isIsoDate,
  regexProblem,
  type ConditionLeaf,
  type ConditionNode,
  type Operator,
  type Scalar,
} from './conditions';
export { evaluateCondition, MAX_MATCH_INPUT } from './evaluate-condition';
export {
  actionSchema,
  crmPushActionSchema,
  slackActionSchema,
  emailActionSchema,
  webhookActionSchema,
  flowInputSchema,
  flowPatchSchema,
  redactActions,
  actionUrls,
  MAX_ACTIONS,
  type CrmPushAction,
  type SlackAction,
  type EmailAction,
  type WebhookAction,
  type FlowAction,
  type SideAction,
  type FlowInput,
  type FlowPatch,
} from './actions';
export { routeLead, type RoutableFlow, type RoutedAction, type Routing } from './route-lead';
export { DEFAULT_TIMEOUT_MS, type SendContext, type SendResult } from './senders/send-context';
export { sendSlack } from './senders/slack';
export { sendEmail, classifySmtpError, DEFAULT_MAIL_FROM } from './senders/email';
export { sendWebhook } from './senders/webhook';
export { sendAction } from './senders/send-action';
