export interface JsonCallOptions {
  /** Sent as `Authorization: Bearer <key>` (an API key or the admin token). */
  key?: string;
  /** JSON-encoded, unless already a string (a deliberately malformed body). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface JsonAnswer {
  status: number;
  /** The parsed JSON body; the text itself when it is not JSON; undefined when empty. */
  body: any;
  headers: Headers;
}

/** One HTTP call to a CRM Push api, JSON both ways: the client every test and harness shares. */
export async function jsonCall(baseUrl: string, method: string, path: string, opts: JsonCallOptions = {}): Promise<JsonAnswer> {
  const { key, body, headers } = opts;
  const res = await fetch(baseUrl + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (an HTML page, Prometheus text): the text itself.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
