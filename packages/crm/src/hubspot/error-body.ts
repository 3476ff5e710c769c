/**
 * The SDK throws a plain Error without the HTTP status when an error body is not the JSON its
 * content type claims (an empty 500, an HTML page from a proxy, no content type at all). This
 * middleware relabels such bodies as text, so every error answer becomes an ApiException that
 * carries its status. (JSON error bodies reach `ApiException.body` as parsed, `policyName` included.)
 */
interface ResponseContextLike {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string>; binary(): Promise<Buffer> };
}

export const readableErrorBodies = {
  pre: (ctx: unknown) => ctx,
  async post(raw: unknown): Promise<unknown> {
    const ctx = raw as ResponseContextLike;
    if (ctx.httpStatusCode < 400) return ctx;
    const text = await ctx.body.text();
    if (!isJson(text)) ctx.headers['content-type'] = 'text/plain';
    ctx.body = { text: async () => text, binary: async () => Buffer.from(text) };
    return ctx;
  },
};

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
