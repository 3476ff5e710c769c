export { metaLeadAdsModule, metaConfigSchema, metaCredentialsSchema, leadgenIds } from './meta-module';
export { hubSignature } from './signature';
