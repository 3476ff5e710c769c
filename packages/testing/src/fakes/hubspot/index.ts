export { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, HUBSPOT_ROUTES, hubspotDestination, type FakeHubSpot, type FakeHubSpotOptions } from './fake-hubspot';
export { ContactStore, type FakeContact } from './contact-store';
export { hubspotRateLimited, hubspotScriptedError, type HubSpotRateLimitPolicy } from './hubspot-answers';
export { type HubSpotLimits } from './rate-limiter';
