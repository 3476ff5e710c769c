import type { DeliveryError } from '@crm-push/outbound';
import type { DeliveryDeps } from '../deps';
import type { AttemptFacts } from '../record-outcome';

/**
 * A call the vendor throttled (429, REQUEST_LIMIT_EXCEEDED) or whose credentials it rejected:
 * the call is logged and counted in `attempts` (it was made), but the delivery keeps its status
 * (`queued` or `retrying`) because its job waits in the lane, still live, and no retry was spent.
 */
export async function recordThrottledCall(deps: Pick<DeliveryDeps, 'db'>, deliveryId: string, error: DeliveryError, attempt: AttemptFacts): Promise<void> {
  await deps.db.$transaction([
    deps.db.attempt.create({
      data: {
        deliveryId,
        ...attempt,
        statusCode: error.statusCode ?? null,
        errorCode: error.code,
        errorMessage: error.message,
        retryable: true,
        meta: (error.meta as object) ?? undefined,
      },
    }),
    deps.db.delivery.update({
      where: { id: deliveryId },
      data: {
        attempts: { increment: 1 },
        lastStatusCode: error.statusCode ?? null,
        lastErrorCode: error.code,
        lastErrorMessage: error.message,
        lastErrorRetryable: true,
      },
    }),
  ]);
}
