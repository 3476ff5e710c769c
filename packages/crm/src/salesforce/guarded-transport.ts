import { httpCall, type NetworkPolicy } from '@crm-push/outbound';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import { createHttpRequestHandlerStreams } from 'jsforce/lib/request-helper';
import Transport from 'jsforce/lib/transport';
import type { Duplex, Readable } from 'node:stream';

/**
 * jsforce's HTTP transport with this project's rules, for one connection. jsforce 3 sends with
 * node-fetch and no agent of ours; this transport replaces its request function with one call
 * through the network policy (undici), so:
 * - every address is vetted at connect time, as for the other CRMs (no DNS-rebinding window);
 * - no redirect is followed: a 3xx fails, non-retryable, naming the status and the Location host;
 * - bodies are read up to their cap (1 MB success, 64 KB error) and the rest discarded;
 * - a timeout per call (jsforce's default is 30 minutes) and no retries of its own (jsforce retries
 *   GETs 5 times with backoff): the queue is the one retry owner.
 * It also remembers the last answer, because jsforce returns bodies only and the attempt log wants
 * the status code and Sforce-Limit-Info.
 */
export class GuardedTransport extends Transport {
  last?: HttpResponse;

  constructor(
    private readonly network: NetworkPolicy,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}) {
    this.last = undefined;
    const answer = super.httpRequest(req, options);
    answer.then(
      (res) => (this.last = res),
      () => undefined, // the caller handles the rejection
    );
    return answer;
  }

  /** The stream jsforce reads: fed by one policy call instead of node-fetch. */
  override getRequestStreamCreator(): (req: HttpRequest, options: HttpRequestOptions) => Duplex {
    return (req, options) => {
      const { input, output, stream } = createHttpRequestHandlerStreams(req, options);
      // The body arrives on the stream's input side, written (req.body) or piped (Bulk API CSV).
      const body = /^(POST|PUT|PATCH)$/i.test(req.method) ? readAll(input) : Promise.resolve(undefined);
      body
        .then((text) =>
          httpCall(this.network, req.url, {
            method: req.method,
            headers: { ...req.headers },
            body: text,
            timeoutMs: this.timeoutMs,
            maxSuccessBytes: successCap(req.url),
          }),
        )
        .then(
          (res) => {
            const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
            stream.emit('response', { statusCode: res.statusCode, headers });
            output.end(res.text);
          },
          (err: unknown) => stream.emit('error', err),
        );
      return stream;
    };
  }

  get lastStatus(): number | undefined {
    return this.last?.statusCode;
  }

  /** The raw `Sforce-Limit-Info` header ("api-usage=18/15000") of the last answer. */
  get limitInfo(): string | undefined {
    return this.last?.headers['sforce-limit-info'];
  }
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Bulk API 2.0 result downloads are CSV of every record of a job: data by design, capped far higher. */
const BULK_RESULTS = /\/jobs\/ingest\/[^/]+\/(successfulResults|failedResults|unprocessedrecords)\/?$/;
const BULK_RESULTS_BYTES = 150 * 1024 * 1024;

function successCap(url: string): number | undefined {
  return BULK_RESULTS.test(new URL(url).pathname) ? BULK_RESULTS_BYTES : undefined;
}
