import type { CrmModule } from './contract';
import { customModule } from './custom';
import { hubspotModule } from './hubspot';
import { salesforceModule } from './salesforce';

/** Every CRM the product speaks to. Adding one: a folder implementing CrmModule, and a line here. */
const MODULES = [customModule, salesforceModule, hubspotModule] as const;

/** A destination type: the `type` of a module in the registry. */
export type CrmType = (typeof MODULES)[number]['type'];

/** Modules by type, each seen with its config and credentials as parsed input (unknown to callers). */
export const crmModules = Object.fromEntries(MODULES.map((m) => [m.type, m])) as Record<CrmType, CrmModule<CrmType>>;

export const CRM_TYPES = MODULES.map((m) => m.type) as CrmType[];

export function isCrmType(type: string): type is CrmType {
  return Object.hasOwn(crmModules, type);
}

export function crmModule(type: string): CrmModule<CrmType> {
  if (!isCrmType(type)) throw new Error(`unknown destination type "${type}"`);
  return crmModules[type];
}
