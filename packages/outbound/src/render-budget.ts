import { TemplateError } from './template-error';

/** Wall time all of one delivery's templates may take together. */
export const DELIVERY_RENDER_MS = 200;
/** Characters all of one delivery's templates may produce together. */
export const DELIVERY_RENDER_CHARS = 100_000;

/**
 * One delivery's allowance for template work, shared by every rule that renders: 500 rules cannot
 * each take the per-template limit. Created when the mapping starts, so the clock runs from there.
 */
export class RenderBudget {
  private readonly deadline: number;
  private charsLeft: number;

  constructor(limits: { ms?: number; chars?: number } = {}) {
    this.deadline = performance.now() + (limits.ms ?? DELIVERY_RENDER_MS);
    this.charsLeft = limits.chars ?? DELIVERY_RENDER_CHARS;
  }

  /** Milliseconds left; throws once the time is spent. */
  msLeft(): number {
    const left = this.deadline - performance.now();
    if (left <= 0) throw new TemplateError('the templates of this delivery took longer than their time budget', { overTime: true });
    return left;
  }

  /** Counts a rendered output against the size budget; throws once it is spent. */
  spend(chars: number): void {
    this.charsLeft -= chars;
    if (this.charsLeft < 0) throw new TemplateError('the templates of this delivery produced more output than their size budget');
  }
}
