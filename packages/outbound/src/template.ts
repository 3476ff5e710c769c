import { Liquid, type Template } from 'liquidjs';
import { RenderBudget } from './render-budget';
import { TemplateError } from './template-error';

/** Longest template accepted; field mappings are short, Slack texts and email subjects a little longer. */
export const MAX_TEMPLATE_LENGTH = 20_000;
/** Longest rendered output; beyond this a template is looping or amplifying, not formatting. */
export const MAX_OUTPUT_LENGTH = 100_000;
/** Parsed templates kept; a worker sees a handful of distinct mappings, so this is generous. */
const CACHE_SIZE = 500;

const liquid = new Liquid({
  // A misspelt filter is a configuration mistake: refuse it when the template is saved.
  strictFilters: true,
  // A missing field renders empty, like an unknown path in a FieldRule.
  strictVariables: false,
  // Lead data is user input: never expose prototype members such as `constructor`.
  ownPropertyOnly: true,
  // An in-memory, empty template map: no lookup ever reaches the file system.
  templates: {},
  cache: false,
  parseLimit: MAX_TEMPLATE_LENGTH,
  // DoS bounds liquidjs offers: wall time per render (ms) and allocations (array/string growth).
  renderLimit: 200,
  memoryLimit: 1_000_000,
});
// These tags only load other templates; without them a template cannot name a file at all,
// and using one fails at validation instead of at every render.
for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];

/** Renders per call cap: a loop over a huge range is refused rather than spun through. */
const TEMPLATE_LIMIT = 10_000;

const cache = new Map<string, Template[]>();

function parse(template: string): Template[] {
  const hit = cache.get(template);
  if (hit) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    cache.delete(template);
    cache.set(template, hit);
    return hit;
  }
  if (template.length > MAX_TEMPLATE_LENGTH) {
    throw new TemplateError(`template is longer than ${MAX_TEMPLATE_LENGTH} characters`);
  }
  let parsed: Template[];
  try {
    parsed = liquid.parse(template);
  } catch (err) {
    throw new TemplateError(`template does not parse: ${(err as Error).message}`, { cause: err });
  }
  cache.set(template, parsed);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return parsed;
}

/**
 * Renders a Liquid template over `context` (for a lead: `{data, source, externalId, id, createdAt}`,
 * see leadTemplateContext). Unknown variables render empty; unknown filters, file tags and runaway
 * templates throw TemplateError. `budget` is the delivery's allowance shared by all its templates;
 * without one a render gets a budget of its own.
 */
export function renderTemplate(template: string, context: object, budget: RenderBudget = new RenderBudget()): string {
  const parsed = parse(template);
  let output: unknown;
  const renderLimit = budget.msLeft();
  try {
    output = liquid.renderSync(parsed, context, { templateLimit: TEMPLATE_LIMIT, renderLimit });
  } catch (err) {
    const message = (err as Error).message;
    // liquidjs's Limiter: "template render limit exceeded" is the time limit, not a fault of the template.
    throw new TemplateError(`template failed to render: ${message}`, { cause: err, overTime: /render limit exceeded/.test(message) });
  }
  const text = String(output ?? '');
  if (text.length > MAX_OUTPUT_LENGTH) {
    throw new TemplateError(`template output is longer than ${MAX_OUTPUT_LENGTH} characters`);
  }
  budget.spend(text.length);
  return text;
}

/** Null when the template parses; otherwise the reason, for a 400 naming the bad field. */
export function validateTemplate(template: string): string | null {
  try {
    parse(template);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Whether a FieldRule `from` (or any configured string) is a template rather than a plain path. */
export function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}
