import type { Connection, TokenResponse } from 'jsforce';
import type { AdapterHooks } from '../contract';
import { DeliveryError } from '@crm-push/outbound';
import type { SalesforceCredentials } from './config';
import { classifyError, vendorError } from './error-taxonomy';
import type { GuardedTransport } from './guarded-transport';

/**
 * One refresh per push: enough for an expired token, and it stops jsforce's loop when a 401
 * persists after a successful refresh (it would otherwise refresh without limit).
 */
export const MAX_REFRESHES_PER_CALL = 1;

/**
 * jsforce's session refresh function for one adapter. jsforce calls it on a 401 and replays the
 * request once it answers; this one counts refreshes, stores a rotated refresh token through the
 * hook, and keeps the configured instance URL (the token answer's `instance_url` is not trusted to
 * move the adapter to another host, which the private-network guard never checked).
 */
export class TokenRefresher {
  private used = 0;
  /** Why the last refresh failed, in Salesforce's words; jsforce keeps only the message. */
  failure?: DeliveryError;

  constructor(
    private credentials: SalesforceCredentials,
    private readonly hooks: AdapterHooks<SalesforceCredentials> | undefined,
    private readonly api: GuardedTransport,
    private readonly token: GuardedTransport,
  ) {}

  /** Called at the start of each push, pushMany or test: the cap is per call. */
  reset(): void {
    this.used = 0;
    this.failure = undefined;
  }

  readonly refreshFn = (conn: Connection, callback: (err?: Error | null, accessToken?: string, res?: TokenResponse) => void): void => {
    this.refresh(conn).then(
      (res) => callback(undefined, res.access_token, res),
      (err: DeliveryError) => callback(err),
    );
  };

  private async refresh(conn: Connection): Promise<TokenResponse> {
    if (this.used >= MAX_REFRESHES_PER_CALL) throw this.fail(this.stillRefused());
    this.used += 1;
    let res: TokenResponse;
    try {
      res = await conn.oauth2.refreshToken(this.credentials.refreshToken!);
    } catch (err) {
      throw this.fail(this.tokenError(err));
    }
    if (!res?.access_token)
      throw this.fail(new DeliveryError({ code: 'UNEXPECTED_RESPONSE', message: 'the token endpoint answered without an access_token', retryable: true }));
    this.credentials = { ...this.credentials, accessToken: res.access_token, refreshToken: res.refresh_token ?? this.credentials.refreshToken };
    try {
      await this.hooks?.onCredentialsChanged?.(this.credentials);
    } catch (err) {
      // The new token works, but a rotated refresh token that was not stored is lost for the next
      // job; failing (retryably) is the only way to get another chance to store it.
      throw this.fail(
        new DeliveryError({ code: 'CREDENTIALS_NOT_SAVED', message: 'the refreshed Salesforce credentials could not be stored', retryable: true, cause: err }),
      );
    }
    return res;
  }

  private fail(error: DeliveryError): DeliveryError {
    this.failure = error;
    return error;
  }

  /** jsforce puts the OAuth `error` in `name` and `error_description` in `message`. */
  private tokenError(err: unknown): DeliveryError {
    const status = this.token.lastStatus;
    if (!status) return classifyError(err);
    const { name, message } = err as Error;
    return vendorError(name, message || `the token endpoint answered ${status}`, status, err);
  }

  /** The 401 that outlived a refresh, with Salesforce's own code and message. */
  private stillRefused(): DeliveryError {
    const refused = firstError(this.api.last?.body);
    return vendorError(refused?.errorCode ?? 'INVALID_SESSION_ID', refused?.message ?? 'Session expired or invalid', 401, undefined, {
      refreshes: this.used,
    });
  }
}

function firstError(body: string | undefined): { errorCode?: string; message?: string } | undefined {
  try {
    const parsed = JSON.parse(body ?? '');
    return Array.isArray(parsed) ? parsed[0] : parsed;
  } catch {
    return undefined;
  }
}
