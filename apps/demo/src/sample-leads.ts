/** A handful of leads as a web form or an ad platform would post them. */
export const SAMPLE_LEADS = [
  { source: 'web-form', externalId: 'demo-1', data: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines' } },
  { source: 'web-form', externalId: 'demo-2', data: { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', company: 'Navy' } },
  { source: 'facebook-ads', externalId: 'demo-3', data: { email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing', phone: '+44 20 7946 0000' } },
  { source: 'webinar', externalId: 'demo-4', data: { email: 'katherine@example.com', firstName: 'Katherine', lastName: 'Johnson', company: 'NASA' } },
  { source: 'web-form', externalId: 'demo-5', data: { email: 'linus@example.com', firstName: 'Linus', company: 'Kernel Org' } },
];
