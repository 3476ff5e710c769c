import type { CrmModule, CrmType } from './contract';
import { customModule } from './custom';
import { hubspotModule } from './hubspot';
import { salesforceModule } from './salesforce';

/** Every CRM the product speaks to. Adding one: a folder implementing CrmModule, and a line here. */
export const crmModules: Record<CrmType, CrmModule> = {
  custom: customModule,
  salesforce: salesforceModule,
  hubspot: hubspotModule,
};

export const CRM_TYPES = Object.keys(crmModules) as CrmType[];

export function crmModule(type: string): CrmModule {
  const found = crmModules[type as CrmType];
  if (!found) throw new Error(`unknown destination type "${type}"`);
  return found;
}
