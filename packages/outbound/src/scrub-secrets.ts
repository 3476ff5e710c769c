import { DeliveryError } from './delivery-error';

/** Parameters that carry a secret wherever they appear (form bodies, query strings, JSON). */
const SECRET_PARAMETERS = ['client_secret', 'refresh_token', 'access_token', 'id_token', 'password', 'api_key', 'apikey', 'client_assertion'];
const NAMES = SECRET_PARAMETERS.join('|');
const FORM_PARAMETER = new RegExp(`\\b(${NAMES})=[^&\\s"'<>]+`, 'gi');
const JSON_PARAMETER = new RegExp(`("(?:${NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const REDACTED = '[redacted]';
/** Shorter values are not worth matching: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Text from a destination's answer, safe to store and show: the destination's own credential
 * values (as sent, URL-encoded or base64) and common secret parameters and bearer tokens are
 * replaced by "[redacted]".
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secretForms(secrets)) out = out.split(secret).join(REDACTED);
  return out.replace(FORM_PARAMETER, `$1=${REDACTED}`).replace(JSON_PARAMETER, `$1"${REDACTED}"`).replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

/** Every string inside a credentials object (or a single secret string), longest first. */
export function secretValuesOf(credentials: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(credentials);
  return found;
}

function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** The same error with its message scrubbed; the cause is dropped, since it may quote the answer. */
export function scrubbedError(err: DeliveryError, secrets: readonly string[]): DeliveryError {
  const message = scrubSecrets(err.message, secrets);
  if (message === err.message && err.cause === undefined) return err;
  return new DeliveryError({ code: err.code, message, retryable: err.retryable, statusCode: err.statusCode, retryAfterMs: err.retryAfterMs, meta: err.meta });
}
