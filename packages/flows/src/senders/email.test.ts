import { createServer, type AddressInfo } from 'node:net';
import { startSmtpSink, deliveryFailure } from '@crm-push/testing';
import { createNetworkPolicy } from '@crm-push/outbound';

const network = createNetworkPolicy({ allowPrivateNetworks: false });
import type { EmailAction } from '../actions';
import { closedPort } from '../__tests__/http-sink';
import { makeLead } from '../__tests__/lead';
import { DEFAULT_MAIL_FROM, sendEmail } from './email';

/** An SMTP reply error as smtp-server sends it to the client. */
function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

const lead = makeLead({ email: 'ada@example.com', country: 'DE', firstName: 'Ada' });
const action: EmailAction = {
  type: 'email',
  to: ['sales@example.com', 'boss@example.com'],
  subject: 'New lead from {{data.country}}',
  text: 'Say hello to {{data.firstName}} <{{data.email}}>.',
  html: '<p>Say hello to <b>{{data.firstName}}</b></p>',
};

describe('sendEmail', () => {
  it('delivers the rendered mail to the SMTP server', async () => {
    const smtp = await startSmtpSink();
    try {
      const result = await sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: smtp.url });
      expect(result).toEqual({ statusCode: 250 });
      expect(smtp.received).toHaveLength(1);
      const [mail] = smtp.received;
      expect(mail.to).toEqual(['sales@example.com', 'boss@example.com']);
      expect(mail.from).toBe('crm-push@localhost');
      expect(mail.raw).toContain('Subject: New lead from DE');
      expect(mail.raw).toContain('Say hello to Ada <ada@example.com>.');
      expect(mail.raw).toContain('<p>Say hello to <b>Ada</b></p>');
      expect(DEFAULT_MAIL_FROM).toContain('crm-push@localhost');
    } finally {
      await smtp.close();
    }
  });

  it('uses the sender address it is given', async () => {
    const smtp = await startSmtpSink();
    try {
      await sendEmail({ ...action, html: undefined }, lead, { deliveryId: 'act_1', network, smtpUrl: smtp.url, mailFrom: 'Leads <leads@acme.test>' });
      expect(smtp.received[0].from).toBe('leads@acme.test');
      expect(smtp.received[0].raw).not.toContain('text/html');
    } finally {
      await smtp.close();
    }
  });

  it('fails for good with SMTP_NOT_CONFIGURED, naming SMTP_URL, when no server is configured', async () => {
    const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network }));
    expect(err).toMatchObject({ code: 'SMTP_NOT_CONFIGURED', retryable: false });
    expect(err.message).toContain('SMTP_URL');
  });

  it('throws a retryable error when the SMTP server refuses the connection', async () => {
    const port = await closedPort();
    const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: `smtp://127.0.0.1:${port}` }));
    expect(err).toMatchObject({ code: 'SMTP_CONNECTION_FAILED', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('fails for good with SMTP_URL_INVALID, without echoing the URL, when SMTP_URL is not smtp(s)', async () => {
    for (const smtpUrl of ['nonsense', 'http://user:hunter2@mail.example.com']) {
      const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl }));
      expect(err).toMatchObject({ code: 'SMTP_URL_INVALID', retryable: false });
      expect(err.message).not.toContain('hunter2');
    }
  });

  it('throws a retryable TIMEOUT when the server never greets', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 100 }));
      expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('throws a retryable error, and so retries, on a 4xx SMTP reply', async () => {
    const smtp = await startSmtpSink({ onRcptTo: (_addr, _session, cb) => cb(reply(451, 'Try again later')) });
    try {
      const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: smtp.url }));
      expect(err).toMatchObject({ code: 'SMTP_TEMPORARY_FAILURE', retryable: true, statusCode: 451 });
      expect(err.message).toContain('Try again later');
      expect(smtp.received).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('throws a final error on a 5xx SMTP reply', async () => {
    const smtp = await startSmtpSink({
      onData: (stream, _session, cb) => {
        stream.resume();
        stream.on('end', () => cb(reply(554, 'Message rejected as spam')));
      },
    });
    try {
      const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: smtp.url }));
      expect(err).toMatchObject({ code: 'SMTP_REJECTED', retryable: false, statusCode: 554 });
    } finally {
      await smtp.close();
    }
  });

  it('throws a final SMTP_AUTH_FAILED, without the password, when the login is refused', async () => {
    const smtp = await startSmtpSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (_auth, _session, cb) => cb(reply(535, 'Authentication failed')),
    });
    try {
      const url = smtp.url.replace('smtp://', 'smtp://user:hunter2@');
      const err = await deliveryFailure(sendEmail(action, lead, { deliveryId: 'act_1', network, smtpUrl: url }));
      expect(err).toMatchObject({ code: 'SMTP_AUTH_FAILED', retryable: false, statusCode: 535 });
      expect(err.message).not.toContain('hunter2');
    } finally {
      await smtp.close();
    }
  });
});
