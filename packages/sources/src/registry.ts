import type { SourceModule, SourceType } from './contract';
import { formModule } from './form';
import { googleAdsModule } from './google-ads';
import { metaLeadAdsModule } from './meta-lead-ads';
import { webhookModule } from './webhook';

/** Every source type. Adding one: a folder implementing SourceModule, and a line here. */
export const sourceModules: Record<SourceType, SourceModule> = {
  form: formModule,
  webhook: webhookModule,
  meta_lead_ads: metaLeadAdsModule,
  google_ads: googleAdsModule,
};

export const SOURCE_TYPES = Object.keys(sourceModules) as SourceType[];

export function sourceModule(type: string): SourceModule {
  const found = sourceModules[type as SourceType];
  if (!found) throw new Error(`unknown source type "${type}"`);
  return found;
}
