import { createNetworkPolicy, DeliveryError } from '@crm-push/outbound';
import { HttpSink } from '../__tests__/http-sink';
import { makeLead } from '../__tests__/lead';
import { sendAction } from './send-action';

const lead = makeLead({ email: 'ada@example.com' });
const ctx = { deliveryId: 'act_7', network: createNetworkPolicy({ allowPrivateNetworks: true }) };

describe('sendAction', () => {
  let sink: HttpSink;
  beforeEach(async () => {
    sink = await new HttpSink().start();
  });
  afterEach(() => sink.close());

  it('sends a slack action as a Slack message', async () => {
    await sendAction({ type: 'slack', webhookUrl: sink.url, text: 'Hi {{data.email}}' }, lead, ctx);
    expect(JSON.parse(sink.requests[0].body)).toEqual({ text: 'Hi ada@example.com' });
  });

  it('sends a webhook action as the lead JSON', async () => {
    await sendAction({ type: 'webhook', url: sink.url }, lead, ctx);
    expect(sink.requests[0].headers['webhook-id']).toBe('act_7');
    expect(JSON.parse(sink.requests[0].body)).toMatchObject({ id: 'lead_1', data: { email: 'ada@example.com' } });
  });

  it('sends an email action through SMTP, failing clearly when SMTP is not configured', async () => {
    const err = await sendAction({ type: 'email', to: ['a@example.com'], subject: 's', text: 't' }, lead, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ code: 'SMTP_NOT_CONFIGURED', retryable: false });
  });
});
