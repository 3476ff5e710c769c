import { DeliveryError } from '@crm-push/outbound';

/**
 * The DeliveryError a call fails with; throws when it succeeds or fails with anything else, so
 * a test can assert on the error's code, status and retryability directly.
 */
export async function deliveryFailure(promise: Promise<unknown>): Promise<DeliveryError> {
  const outcome = await promise.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ('value' in outcome) throw new Error(`expected a DeliveryError, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(outcome.error)}`, { cause: outcome.error });
  return outcome.error;
}
