import type { z } from 'zod';
import { ApiError } from './api-error';

export interface FieldIssue {
  path: string;
  message: string;
}

/** zod issues as API.md's `details`: one entry per bad field, named by its path. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): FieldIssue[] {
  return issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
}

export function invalid(issues: FieldIssue[], what = 'request body'): ApiError {
  const named = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ApiError(400, 'VALIDATION_ERROR', `invalid ${what}: ${named}`, issues);
}

/** Parses `value` or throws a 400 naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(toFieldIssues(result.error.issues), what);
  return result.data;
}
