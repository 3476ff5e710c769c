export {
  DeliveryError,
  deliveryErrorIn,
  isRetryableStatus,
  parseRetryAfter,
  networkError,
  networkErrorCode,
  redirectRefused,
} from './delivery-error';
export { blockedAddressReason, urlShapeProblem, destinationNotAllowed, type LookupAll } from './network-guard';
export { createNetworkPolicy, networkPolicyFromConfig, type NetworkPolicy, type NetworkPolicyOptions } from './network-policy';
export { httpCall, first, type HttpAnswer, type HttpCall } from './http-call';
export { readCapped, MAX_ERROR_BODY_BYTES, MAX_SUCCESS_BODY_BYTES, type CappedText } from './response-cap';
export { renderTemplate, validateTemplate, isTemplate, MAX_TEMPLATE_LENGTH, MAX_OUTPUT_LENGTH } from './template';
export { TemplateError } from './template-error';
export { RenderBudget, DELIVERY_RENDER_CHARS, DELIVERY_RENDER_MS } from './render-budget';
export { standardWebhookHeaders } from './standard-webhooks';
export { scrubSecrets, scrubbedError, secretValuesOf } from './scrub-secrets';
