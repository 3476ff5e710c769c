import { DeliveryError, isTemplate, RenderBudget, renderTemplate, TemplateError } from '@crm-push/outbound';
import type { MappedRecord } from '../contract';
import type { FieldRule } from './field-rule';
import { leadTemplateContext, type MappingInput } from './lead-context';
import { readPath, writePath } from './path';
import { applyTransform, isEmpty, NOT_CONVERTIBLE } from './transforms';

export type { MappingInput } from './lead-context';
export { validateMapping } from './validate-mapping';

function mappingError(message: string, cause?: unknown): DeliveryError {
  // Only running out of render time is worth another try (RenderBudget is wall time); the retries
  // and sweeps bound what a template that is slow by nature can cost.
  const retryable = cause instanceof TemplateError && cause.overTime;
  return new DeliveryError({ code: 'MAPPING_ERROR', retryable, message, cause });
}

function readFrom(lead: MappingInput, rule: FieldRule, context: () => object, budget: RenderBudget): unknown {
  if (!isTemplate(rule.from)) return readPath(lead, rule.from);
  try {
    return renderTemplate(rule.from, context(), budget);
  } catch (err) {
    throw mappingError(`field "${rule.to}": ${(err as Error).message}`, err);
  }
}

/**
 * Turns a lead into the record a destination receives, rule by rule: read `from`, apply the
 * transforms in order, fall back to `default`, then refuse a missing `required` value. Fields left
 * empty are omitted, so the CRM keeps whatever it has. Throws a DeliveryError with code
 * MAPPING_ERROR naming the field (non-retryable, unless the templates ran out of time); the processor calls this before any request, so a lead that
 * cannot be mapped makes no call. Messages name fields and paths, never the lead's values.
 * All of the rules' templates share one RenderBudget (time and output), so the work one delivery
 * costs is bounded whatever the number of rules.
 */
export function applyMapping(lead: MappingInput, rules: FieldRule[], budget: RenderBudget = new RenderBudget()): MappedRecord {
  const record: MappedRecord = {};
  let context: object | undefined;
  const lazyContext = () => (context ??= leadTemplateContext(lead));
  for (const rule of rules) {
    let value = readFrom(lead, rule, lazyContext, budget);
    for (const transform of rule.transform ?? []) {
      value = applyTransform(value, transform);
      if (value === NOT_CONVERTIBLE) {
        throw mappingError(`field "${rule.to}" expects a ${transform} but lead data at "${rule.from}" is not one`);
      }
    }
    if (isEmpty(value)) value = rule.default;
    if (isEmpty(value)) {
      if (rule.required) throw mappingError(`field "${rule.to}" is required but lead data has no value at "${rule.from}"`);
      continue;
    }
    if (!writePath(record, rule.to, value)) {
      throw mappingError(`field "${rule.to}" cannot be written: a part of that path already holds a value`);
    }
  }
  return record;
}
