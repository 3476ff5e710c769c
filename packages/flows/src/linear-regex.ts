import { RE2JS } from 're2js';

/**
 * `matches` patterns run on RE2 (re2js, pure JavaScript): matching takes time linear in the
 * text whatever the pattern, so no pattern an account saves can stall the process that routes
 * every account's leads. RE2 has no backreferences or lookaround; such a pattern is refused at
 * save, never half-supported at run time.
 */
export const PATTERN_LIMITS = {
  /**
   * Instructions in one compiled program. Matching costs up to (instructions × characters) steps
   * when RE2 falls back from its DFA (Unicode classes under big counted repeats), about 30 ns
   * each here: 200 × MAX_MATCH_INPUT (2 000) is a few milliseconds at worst.
   */
  maxInstructions: 200,
} as const;

export type CompiledPattern = { ok: true; test(text: string): boolean } | { ok: false; problem: string };

export function compilePattern(pattern: string): CompiledPattern {
  try {
    const re = RE2JS.compile(pattern);
    const size = Number(re.re2().numberOfInstructions());
    if (size > PATTERN_LIMITS.maxInstructions) {
      return { ok: false, problem: `compiles to ${size} instructions, more than the ${PATTERN_LIMITS.maxInstructions} allowed; use smaller repeat counts` };
    }
    return { ok: true, test: (text) => re.test(text) };
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '');
    return {
      ok: false,
      problem: `is not a regular expression this service can run in linear time (${reason}); backreferences and lookaround are not supported`,
    };
  }
}
