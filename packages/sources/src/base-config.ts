import { z } from 'zod';

/** Config every source type takes. */
export const baseConfigShape = {
  /** Calls per minute this source takes before answering 429; the type's default when unset. */
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
};
