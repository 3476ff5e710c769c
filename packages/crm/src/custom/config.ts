import { z } from 'zod';
import { headerNameSchema, headersSchema, headerValueProblem } from './header-rules';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const customConfigSchema = z
  .object({
    url: httpUrl,
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
    /** Extra static headers; auth belongs in credentials, which are encrypted. */
    headers: headersSchema.default({}),
    timeoutMs: z.number().int().min(100).max(120000).default(10000),
  })
  .strict();
export type CustomConfig = z.output<typeof customConfigSchema>;

const signing = { signingSecret: z.string().min(1).optional() };

const credentialKinds = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none'), ...signing }).strict(),
  z.object({ type: z.literal('bearer'), token: z.string().min(1), ...signing }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string(), ...signing }).strict(),
  z
    .object({
      type: z.literal('header'),
      headerName: headerNameSchema,
      headerValue: z.string().min(1),
      ...signing,
    })
    .strict()
    .superRefine((c, ctx) => {
      const problem = headerValueProblem(c.headerName, c.headerValue);
      if (problem) ctx.addIssue({ code: 'custom', path: ['headerValue'], message: problem });
    }),
]);
/** A destination saved without credentials (stored as none) calls with no auth. */
export const customCredentialsSchema = z.preprocess(
  (value) => (value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0) ? { type: 'none' } : value),
  credentialKinds,
);
export type CustomCredentials = z.output<typeof credentialKinds>;

export function authHeaders(credentials: CustomCredentials): Record<string, string> {
  switch (credentials.type) {
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${credentials.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    case 'header':
      return { [credentials.headerName.toLowerCase()]: credentials.headerValue };
  }
}
