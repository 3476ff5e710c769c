import type { FakeResponse } from '../fake-server';

/** Salesforce REST error body: always a JSON array of {message, errorCode, fields?}. */
export function sfError(status: number, errorCode: string, message: string, fields?: string[]): FakeResponse {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}

/** A per-record error inside a SaveResult (sObject Collections): `statusCode` instead of `errorCode`. */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export const NOT_FOUND = (): FakeResponse => sfError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const INVALID_SESSION = (): FakeResponse => sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
