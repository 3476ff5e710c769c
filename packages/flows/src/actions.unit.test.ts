import { actionSchema, actionUrls, flowInputSchema, flowPatchSchema, redactActions } from './actions';

function issuesOf(schema: { safeParse(v: unknown): any }, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the input to be refused');
  return (result.error.issues as { path: PropertyKey[]; message: string }[]).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

const when = { all: [{ field: 'data.country', op: 'in', value: ['DE', 'FR'] }] };
const slack = { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/X', text: 'New lead {{data.email}}' };
const email = { type: 'email', to: ['sales@example.com'], subject: 'Lead from {{data.country}}', text: 'Email: {{data.email}}' };
const webhook = { type: 'webhook', url: 'https://example.com/hook', signingSecret: 'whsec_c2VjcmV0LWtleS1ieXRlcw==' };

describe('actionSchema', () => {
  it.each([
    ['crm_push', { type: 'crm_push', destinationIds: ['d1'] }],
    ['slack', slack],
    ['email', email],
    ['email with html', { ...email, html: '<b>{{ data.email | escape }}</b>' }],
    ['webhook with a whsec_ secret', webhook],
    ['webhook with a raw secret', { ...webhook, signingSecret: 'my shared secret' }],
    ['webhook without a secret', { type: 'webhook', url: 'http://127.0.0.1:8080/hook' }],
  ])('accepts %s', (_name, input) => {
    expect(actionSchema.safeParse(input).success).toBe(true);
  });

  it('collapses repeated destination ids', () => {
    expect(actionSchema.parse({ type: 'crm_push', destinationIds: ['a', 'b', 'a'] })).toEqual({ type: 'crm_push', destinationIds: ['a', 'b'] });
  });

  it.each([
    ['an unknown type', { type: 'sms', to: '+49' }, 'type', /'crm_push' \| 'slack' \| 'email' \| 'webhook'/],
    ['crm_push without destinations', { type: 'crm_push', destinationIds: [] }, 'destinationIds', /at least one destination/],
    ['slack without webhookUrl', { type: 'slack', text: 'hi' }, 'webhookUrl', /.+/],
    ['slack with an ftp URL', { ...slack, webhookUrl: 'ftp://example.com/x' }, 'webhookUrl', /http or https/],
    ['slack with a non-URL', { ...slack, webhookUrl: 'hooks.slack.com' }, 'webhookUrl', /absolute URL/],
    ['slack with a non-string URL', { ...slack, webhookUrl: 42 }, 'webhookUrl', /expected string/],
    ['a webhook URL with a password', { type: 'webhook', url: 'https://u:p@example.com/h' }, 'url', /user name or password/],
    ['slack without text', { type: 'slack', webhookUrl: slack.webhookUrl }, 'text', /.+/],
    ['slack with a bad template', { ...slack, text: 'Hi {{ data.email | nosuchfilter }}' }, 'text', /nosuchfilter|undefined filter/i],
    ['slack with an unclosed tag', { ...slack, text: 'Hi {% if data.x %}' }, 'text', /parse/],
    ['a template naming a file', { ...slack, text: "{% include 'secrets' %}" }, 'text', /parse|include/],
    ['email without to', { type: 'email', subject: 's', text: 't' }, 'to', /.+/],
    ['email with an empty to', { ...email, to: [] }, 'to', /at least one recipient/],
    ['email with a bad address', { ...email, to: ['sales@example.com', 'nope'] }, 'to.1', /email/i],
    ['email with a bad subject template', { ...email, subject: '{{ data.x | bogus }}' }, 'subject', /bogus|filter/i],
    ['email with a bad html template', { ...email, html: '{% for %}' }, 'html', /parse/],
    ['webhook with a javascript: URL', { type: 'webhook', url: 'javascript:alert(1)' }, 'url', /http or https/],
    ['webhook with an empty secret', { ...webhook, signingSecret: '' }, 'signingSecret', /.+/],
    ['webhook with a whsec_ secret that is not base64', { ...webhook, signingSecret: 'whsec_not base64!' }, 'signingSecret', /base64/],
    ['an unknown key', { ...slack, channel: '#sales' }, '', /Unrecognized key/],
  ])('refuses %s, naming the path', (_name, input, path, message) => {
    expect(issuesOf(actionSchema, input)).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });
});

describe('flowInputSchema', () => {
  it('accepts the documented example and defaults enabled to true', () => {
    const flow = flowInputSchema.parse({ name: ' EU leads to sales ', when, actions: [{ type: 'crm_push', destinationIds: ['d1'] }, slack, email, webhook] });
    expect(flow).toMatchObject({ name: 'EU leads to sales', enabled: true, when });
    expect(flow.actions).toHaveLength(4);
  });

  it.each([
    ['without a name', { when, actions: [slack] }, 'name'],
    ['without when', { name: 'n', actions: [slack] }, 'when'],
    ['without actions', { name: 'n', when, actions: [] }, 'actions'],
    [
      'with an unknown operator deep inside',
      { name: 'n', when: { all: [{ any: [{ field: 'data.x', op: 'regex', value: 'a' }] }] }, actions: [slack] },
      'when.all.0.any.0.op',
    ],
    ['with a condition without a field', { name: 'n', when: { all: [{ op: 'eq', value: 'DE' }] }, actions: [slack] }, 'when.all.0.field'],
    ['with a regex RE2 cannot run', { name: 'n', when: { field: 'data.x', op: 'matches', value: 'a(?=b)' }, actions: [slack] }, 'when.value'],
    ['with a slack action without its URL', { name: 'n', when, actions: [email, { type: 'slack', text: 'x' }] }, 'actions.1.webhookUrl'],
    ['with an email action without recipients', { name: 'n', when, actions: [{ type: 'email', subject: 's', text: 't' }] }, 'actions.0.to'],
    ['with a bad template', { name: 'n', when, actions: [{ ...email, text: '{{ data.x | nope }}' }] }, 'actions.0.text'],
    ['with an unknown key', { name: 'n', when, actions: [slack], priority: 1 }, ''],
  ])('refuses a flow %s, naming %s', (_name, input, path) => {
    expect(issuesOf(flowInputSchema, input).map((i) => i.path)).toContain(path);
  });
});

describe('flowPatchSchema', () => {
  it('accepts any subset and adds no defaults', () => {
    expect(flowPatchSchema.parse({ name: 'renamed' })).toEqual({ name: 'renamed' });
    expect(flowPatchSchema.parse({})).toEqual({});
  });

  it('validates what it is given', () => {
    expect(issuesOf(flowPatchSchema, { when: { field: 'data.x', op: 'gt', value: 'soon' } }).map((i) => i.path)).toEqual(['when.value']);
    expect(issuesOf(flowPatchSchema, { actions: [] }).map((i) => i.path)).toEqual(['actions']);
    expect(issuesOf(flowPatchSchema, { enabled: 'yes' }).map((i) => i.path)).toEqual(['enabled']);
  });
});

describe('redactActions', () => {
  it('replaces a webhook signing secret with hasSigningSecret', () => {
    const actions = flowInputSchema.parse({ name: 'n', when, actions: [slack, webhook, { type: 'webhook', url: 'https://x.test/h' }] }).actions;
    expect(redactActions(actions)).toEqual([
      slack,
      { type: 'webhook', url: webhook.url, hasSigningSecret: true },
      { type: 'webhook', url: 'https://x.test/h', hasSigningSecret: false },
    ]);
  });
});

describe('actionUrls', () => {
  it('lists the Slack and webhook URLs a flow will call', () => {
    const actions = flowInputSchema.parse({ name: 'n', when, actions: [{ type: 'crm_push', destinationIds: ['d'] }, slack, email, webhook] }).actions;
    expect(actionUrls(actions)).toEqual([slack.webhookUrl, webhook.url]);
  });
});
