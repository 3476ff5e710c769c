import { DeliveryError, networkError } from '@crm-push/outbound';
import type { EmailAction } from '../actions';
import type { FlowLead } from '../flow-lead';
import { renderForLead } from './render';
import { DEFAULT_TIMEOUT_MS, type SendContext, type SendResult } from './send-context';

/** Used when the caller names no sender address. */
export const DEFAULT_MAIL_FROM = 'CRM Push <crm-push@localhost>';

/** nodemailer's own codes for a connection that failed or stalled: worth another try. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);
/** SMTP replies meaning the credentials are wrong: retrying cannot help. */
const AUTH_REPLIES = new Set([530, 534, 535]);

/**
 * Sends the rendered email through SMTP_URL (ctx.smtpUrl). A transport is built per call and
 * closed after it, like an adapter per job. Throws DeliveryError: SMTP_NOT_CONFIGURED without a URL,
 * SMTP_URL_INVALID for one that is not smtp(s)://;
 * 4xx replies and connection failures retry, 5xx replies do not.
 */
export async function sendEmail(action: EmailAction, lead: FlowLead, ctx: SendContext): Promise<SendResult> {
  if (!ctx.smtpUrl) {
    throw new DeliveryError({
      code: 'SMTP_NOT_CONFIGURED',
      message: 'email actions need an SMTP server: set SMTP_URL (e.g. smtp://user:pass@smtp.example.com:587)',
      retryable: false,
    });
  }
  const message = {
    from: ctx.mailFrom ?? DEFAULT_MAIL_FROM,
    to: action.to,
    subject: renderForLead(action.subject, lead, 'email subject'),
    text: renderForLead(action.text, lead, 'email text'),
    html: action.html === undefined ? undefined : renderForLead(action.html, lead, 'email html'),
  };
  const transport = openTransport(ctx.smtpUrl, ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const info = await transport.sendMail(message);
    return { statusCode: replyCode(info.response) };
  } catch (err) {
    throw classifySmtpError(err);
  } finally {
    transport.close();
  }
}

function openTransport(smtpUrl: string, timeoutMs: number) {
  // nodemailer reads "nonsense" as "localhost:587"; refuse anything but an smtp(s) URL instead.
  // The URL may hold a password: the message says what is wrong without repeating it.
  if (!URL.canParse(smtpUrl) || !['smtp:', 'smtps:'].includes(new URL(smtpUrl).protocol)) {
    throw new DeliveryError({ code: 'SMTP_URL_INVALID', message: 'SMTP_URL must be an smtp:// or smtps:// URL', retryable: false });
  }
  // Loaded with the first email sent, not with the flows: nodemailer is ~10 MB of RSS that a
  // process without email actions need not hold.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createTransport } = require('nodemailer') as typeof import('nodemailer');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SMTPTransport = require('nodemailer/lib/smtp-transport') as typeof import('nodemailer/lib/smtp-transport');
  // createTransport({url, ...}) drops every option beside the URL; SMTPTransport merges them.
  return createTransport(new SMTPTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs }));
}

function replyCode(response: unknown): number | undefined {
  const match = typeof response === 'string' ? /^\d{3}/.exec(response) : null;
  return match ? Number(match[0]) : undefined;
}

/** SMTP reply classes decide: 4xx is the server saying "try later", 5xx is "never". */
export function classifySmtpError(err: unknown): DeliveryError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = `SMTP: ${e.message ?? String(err)}`;
  if (status !== undefined && status >= 400 && status < 500) {
    return new DeliveryError({ code: 'SMTP_TEMPORARY_FAILURE', message, retryable: true, statusCode: status, cause: err });
  }
  if (status !== undefined && status >= 500) {
    const code = AUTH_REPLIES.has(status) ? 'SMTP_AUTH_FAILED' : 'SMTP_REJECTED';
    return new DeliveryError({ code, message, retryable: false, statusCode: status, cause: err });
  }
  const network = networkError(err);
  if (network) return network;
  if (e.code && TRANSIENT_CODES.has(e.code)) {
    return new DeliveryError({ code: 'SMTP_CONNECTION_FAILED', message, retryable: true, cause: err });
  }
  return new DeliveryError({ code: 'SMTP_ERROR', message, retryable: false, cause: err });
}
