import pino, { type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear: credentials, tokens and keys must never reach a
 * log line, even when a whole request or destination is logged by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'credentials',
  '*.credentials',
  'apiKey',
  '*.apiKey',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'password',
  '*.password',
  'token',
  '*.token',
  'signingSecret',
  '*.signingSecret',
  '*.headers.authorization',
];

export function createLogger(opts: { level: string; name: string; destination?: pino.DestinationStream }): Logger {
  return pino({ name: opts.name, level: opts.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, opts.destination);
}

export type { Logger };
