/** A template that does not parse, or fails or exceeds its limits while rendering. */
export class TemplateError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'TemplateError';
  }
}
