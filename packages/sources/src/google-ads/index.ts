export { googleAdsModule, googleConfigSchema, googleCredentialsSchema } from './google-module';
