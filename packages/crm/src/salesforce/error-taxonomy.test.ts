import type { FakeSalesforce } from '../../../testing/src/fakes/salesforce';
import { DeliveryError } from '@crm-push/outbound';
import { adapterFor, closedPortUrl, ctx, LEAD, rejection, startFakeOrg } from './__tests__/fake-org';
import { classifyError, classifySaveError } from './error-taxonomy';

describe('Salesforce error taxonomy, through jsforce against the fake org', () => {
  let fake: FakeSalesforce;
  beforeEach(async () => (fake = await startFakeOrg()));
  afterEach(() => fake.stop());

  const pushFails = (record: Record<string, unknown> = LEAD, opts: Parameters<typeof adapterFor>[1] = {}) =>
    rejection(adapterFor(fake.url, opts).push(record, ctx));

  it('fails without retry on REQUIRED_FIELD_MISSING (a Lead without LastName), keeping the vendor message', async () => {
    const err = await pushFails({ FirstName: 'Ada', Company: 'Acme' });
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', retryable: false, statusCode: 400 });
  });

  it('fails without retry on INVALID_FIELD (a field the sObject does not have)', async () => {
    const err = await pushFails({ ...LEAD, Shoe_Size__c: 42 });
    expect(err).toMatchObject({ code: 'INVALID_FIELD', message: "No such column 'Shoe_Size__c' on sobject of type Lead", retryable: false, statusCode: 400 });
  });

  it('fails without retry on INVALID_SESSION_ID when there is nothing to refresh with', async () => {
    fake.expireAccessToken();
    const err = await pushFails();
    expect(err).toMatchObject({ code: 'INVALID_SESSION_ID', message: 'Session expired or invalid', retryable: false, statusCode: 401 });
    expect(fake.tokenCalls()).toBe(0);
  });

  it.each([
    [403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', true],
    [400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record', true],
    [503, 'SERVER_UNAVAILABLE', 'Server is unavailable', true],
    [500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred', true],
    [502, 'SOME_FUTURE_CODE', 'Bad gateway', true],
    [400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Email must be a work address', false],
    [400, 'DUPLICATES_DETECTED', 'Use one of these records?', false],
    [400, 'SOME_FUTURE_CODE', 'Something is off with this record', false],
    [404, 'NOT_FOUND', 'The requested resource does not exist', false],
  ])('answers %i %s ("%s"): retryable=%s, with the vendor code and message', async (status, errorCode, message, retryable) => {
    fake.server.script('sobject.create', [{ status, body: [{ message, errorCode }] }]);
    const err = await pushFails();
    expect(err).toMatchObject({ code: errorCode, message, retryable, statusCode: status });
  });

  it('retries a 5xx whose body is not JSON (jsforce names it ERROR_HTTP_503)', async () => {
    fake.server.script('sobject.create', [{ status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/plain' } }]);
    const err = await pushFails();
    expect(err).toMatchObject({ code: 'ERROR_HTTP_503', retryable: true, statusCode: 503 });
  });

  it('retries when the connection is reset', async () => {
    fake.server.script('sobject.create', [{ reset: true }]);
    const err = await pushFails();
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('retries when nothing listens (connection refused)', async () => {
    const err = await rejection(adapterFor(await closedPortUrl()).push(LEAD, ctx));
    expect(err).toMatchObject({ code: 'CONNECTION_REFUSED', retryable: true });
  });

  it('times out a call that never answers, retryably', async () => {
    fake.server.script('sobject.create', [{ hang: true }]);
    const err = await pushFails(LEAD, { config: { timeoutMs: 200 } });
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('does not retry a POST itself, even on a 503 (the queue owns retries)', async () => {
    fake.server.script('sobject.create', [{ status: 503, body: [{ message: 'down', errorCode: 'SERVER_UNAVAILABLE' }] }]);
    await pushFails();
    expect(fake.server.callsTo('sobject.create')).toHaveLength(1);
  });
});

describe('classifyError', () => {
  it('passes a DeliveryError through unchanged', () => {
    const err = new DeliveryError({ code: 'X', message: 'x', retryable: false });
    expect(classifyError(err)).toBe(err);
  });

  it('maps an OAuth error of the token endpoint by its error name', () => {
    const oauth = Object.assign(new Error('expired access/refresh token'), { name: 'invalid_grant' });
    expect(classifyError(oauth, 400)).toMatchObject({ code: 'invalid_grant', message: 'expired access/refresh token', retryable: false, statusCode: 400 });
  });

  it('treats anything unknown as an unexpected, retryable error', () => {
    expect(classifyError(new TypeError('boom'))).toMatchObject({ code: 'UNEXPECTED_ERROR', message: 'boom', retryable: true });
  });

  it('reads Collections save errors (statusCode instead of errorCode)', () => {
    expect(classifySaveError({ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] })).toMatchObject({
      code: 'UNABLE_TO_LOCK_ROW',
      retryable: true,
    });
    expect(classifySaveError({ statusCode: 'DUPLICATE_EXTERNAL_ID', message: 'dup', fields: ['Ext_Id__c'] })).toMatchObject({
      code: 'DUPLICATE_EXTERNAL_ID',
      retryable: false,
      meta: { fields: ['Ext_Id__c'] },
    });
  });
});
