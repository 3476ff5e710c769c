/** Bounds on JSON that PostgreSQL stores (jsonb, text) and that the code reading it back trusts. */
export const STORABLE_LIMITS = {
  /** Objects and arrays nested in one document, the document itself counting as one. */
  maxDepth: 32,
  /** Problems reported for one document; the rest are not listed (the answer stays small). */
  maxIssues: 20,
} as const;

/** Keys that change what an object is when code copies or merges it into another. */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export interface StorageIssue {
  /** Dot path from the document's root ("data.address.city"); "(body)" for the root itself. */
  path: string;
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null: PostgreSQL refuses NUL (text and jsonb) and lone surrogates (jsonb). */
export function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'holds a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'holds a lone surrogate (half of a UTF-16 pair), which is not valid Unicode';
  return null;
}

/**
 * What in a parsed JSON value PostgreSQL cannot store as given, each named by its path: NUL
 * and lone surrogates in keys or strings, numbers JSON.parse turned into ±Infinity (beyond the
 * double range, e.g. 1e400, which would be stored as null), nesting beyond maxDepth, and the
 * reserved keys (`__proto__` is silently dropped by an object copy). Reads own keys only, so
 * a parsed `__proto__` key is seen; never descends past maxDepth, so input cannot drive it deep.
 */
export function storageIssues(value: unknown, prefix: string[] = []): StorageIssue[] {
  const issues: StorageIssue[] = [];
  const add = (path: string[], message: string) => {
    if (issues.length < STORABLE_LIMITS.maxIssues) issues.push({ path: path.join('.') || '(body)', message });
  };
  const visit = (v: unknown, path: string[], depth: number): void => {
    if (issues.length >= STORABLE_LIMITS.maxIssues) return;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) add(path, problem);
      return;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) add(path, 'is a number beyond the range of a double (at most about 1.8e308)');
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (depth > STORABLE_LIMITS.maxDepth) return add(path, `nests deeper than ${STORABLE_LIMITS.maxDepth} levels`);
    if (Array.isArray(v)) return v.forEach((item, i) => visit(item, [...path, String(i)], depth + 1));
    for (const key of Object.keys(v)) {
      const keyProblem = RESERVED_KEYS.includes(key) ? `is a reserved key name; rename it` : stringProblem(key);
      if (keyProblem) add([...path, key], `key ${keyProblem}`);
      else visit((v as Record<string, unknown>)[key], [...path, key], depth + 1);
    }
  };
  visit(value, prefix, 1);
  return issues;
}
