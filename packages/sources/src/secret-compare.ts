import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether two secrets are equal, in time that does not depend on where they differ (or their lengths). */
export function secretsEqual(given: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given ?? ''), digest(expected)) && given !== undefined;
}
