import Transport from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import type { StreamPromise } from 'jsforce';

/**
 * jsforce's HTTP transport with this project's rules, for one connection:
 * - a timeout per call (jsforce's default is 30 minutes and process-global);
 * - no retries of its own (jsforce retries GETs 5 times with backoff): the queue is the one retry owner;
 * - no redirects, so an answer cannot send the adapter to a host the private-network guard never saw;
 * - remembers the last answer, because jsforce returns bodies only and the attempt log wants the
 *   status code and Sforce-Limit-Info.
 */
export class GuardedTransport extends Transport {
  last?: HttpResponse;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    this.last = undefined;
    const answer = super.httpRequest(req, { ...options, timeout: this.timeoutMs, retry: { maxRetries: 0 }, followRedirect: false });
    answer.then(
      (res) => (this.last = res),
      () => undefined, // the caller handles the rejection
    );
    return answer;
  }

  get lastStatus(): number | undefined {
    return this.last?.statusCode;
  }

  /** The raw `Sforce-Limit-Info` header ("api-usage=18/15000") of the last answer. */
  get limitInfo(): string | undefined {
    return this.last?.headers['sforce-limit-info'];
  }
}
