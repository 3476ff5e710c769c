import type { z } from 'zod';
import { ApiError } from './api-error';

export interface FieldIssue {
  path: string;
  message: string;
}

/** zod issues as docs/api.md's `details`: one entry per bad field, named by its path. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): FieldIssue[] {
  return issues.map((i) => {
    const path = [...prefix, ...i.path].map(String).join('.') || '(body)';
    return { path, message: plainWords(i, path) };
  });
}

/** zod's "Invalid input: expected string, received undefined" in plain words: "credentials.accessToken is required". */
function plainWords(issue: z.core.$ZodIssue, path: string): string {
  // A schema's own message stays; zod's generic one is rewritten.
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input')) return issue.message;
  if (/received undefined$/.test(issue.message)) return `${path} is required`;
  if (issue.expected === 'record' || issue.expected === 'object') return `${path} must be an object`;
  if (issue.expected === 'array') return `${path} must be a list`;
  return `${path} must be a ${issue.expected}`;
}

export function invalid(issues: FieldIssue[], what = 'request body'): ApiError {
  const named = issues.map((i) => (i.message.startsWith(i.path) ? i.message : `${i.path}: ${i.message}`)).join('; ');
  return new ApiError(400, 'VALIDATION_ERROR', `invalid ${what}: ${named}`, issues);
}

/** Parses `value` or throws a 400 naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(toFieldIssues(result.error.issues), what);
  return result.data;
}
