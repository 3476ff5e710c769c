/** A template that does not parse, or fails or exceeds its limits while rendering. */
export class TemplateError extends Error {
  /**
   * The render ran out of time rather than failing: the budget is wall time, and on a loaded
   * machine a sound template can run out of it too, so the delivery may try again.
   */
  readonly overTime: boolean;

  constructor(message: string, opts?: { cause?: unknown; overTime?: boolean }) {
    super(message, opts);
    this.name = 'TemplateError';
    this.overTime = opts?.overTime ?? false;
  }
}
