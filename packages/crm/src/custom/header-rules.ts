import { z } from 'zod';

/** RFC 9110 §5.1: a field name is a token of these characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * RFC 9110 §5.5: a field value is visible characters, spaces and tabs (obs-text allowed), with
 * no surrounding whitespace. CR, LF, NUL and other controls would split or corrupt the request.
 */
const FIELD_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t \x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

/**
 * Names the HTTP client owns: framing (length, encoding), the connection itself (hop-by-hop,
 * RFC 9110 §7.6.1) and the target host. A destination setting one of them could only break or
 * smuggle requests, so they are refused at save instead of failing every delivery later.
 */
const CLIENT_OWNED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'http2-settings',
]);

export const MAX_HEADER_VALUE = 8 * 1024;
export const MAX_CUSTOM_HEADERS = 50;

/** Why `name` cannot be a custom header, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP field name (letters, digits and !#$%&'*+-.^_\`|~ only)`;
  const lower = name.toLowerCase();
  if (CLIENT_OWNED.has(lower) || lower.startsWith('proxy-')) return `header ${name} is set by the HTTP client (framing or hop-by-hop) and cannot be configured`;
  return undefined;
}

/** Why `value` cannot be the value of header `name`, or undefined when it can. */
export function headerValueProblem(name: string, value: string): string | undefined {
  if (value.length > MAX_HEADER_VALUE) return `header ${name} is longer than ${MAX_HEADER_VALUE} characters`;
  if (!FIELD_VALUE.test(value)) {
    return `header ${name} has an invalid value: no CR, LF, NUL or other control characters, no characters beyond Latin-1, no leading or trailing spaces`;
  }
  return undefined;
}

/** A header name as a zod string: the issue names the header. */
export const headerNameSchema = z.string().superRefine((name, ctx) => {
  const problem = headerNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Static request headers: each issue's path is the header's name. */
export const headersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  const entries = Object.entries(headers);
  if (entries.length > MAX_CUSTOM_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_CUSTOM_HEADERS} headers` });
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const problem = headerNameProblem(name) ?? headerValueProblem(name, value);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    else if (seen.has(name.toLowerCase()))
      ctx.addIssue({ code: 'custom', path: [name], message: `header ${name} is given twice (names are case-insensitive)` });
    seen.add(name.toLowerCase());
  }
});
